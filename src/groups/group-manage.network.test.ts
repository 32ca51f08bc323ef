/**
 * Managing groups v2 on the demo network (issue 15): create (members with profile key credentials, the
 * others invited), invite, decline, leave, title, the disappearing timer both ways, and the change log
 * applied in order as timeline events with the server's signatures verified — against the mock server's
 * own group service, with simulated phones as the other members.
 */
import { randomBytes } from 'node:crypto';
import {
  ClientZkGroupCipher,
  GroupMasterKey,
  GroupSecretParams,
} from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import { EMPTY_GROUP_ACTIONS, Group, ServiceIdKind } from '@signalapp/mock-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DemoContact } from '../demo/network.js';
import { PreconditionError, ProtocolError, ValidationError } from '../errors.js';
import type { MessagingClient } from '../messaging/client.js';
import type { Message } from '../messaging/store.js';
import { createHarness, type Harness } from '../messaging/test-support/harness.js';
import { startGroupMember } from './test-support/member.js';
import type { GroupChangeRecord } from './group-changes.js';
import { decodeAttributeBlob } from './proto.js';

const WAIT = { timeout: 10_000, interval: 50 };

describe('managing groups v2 on the demo network', () => {
  let h: Harness;
  let client: MessagingClient;
  let alice: DemoContact;
  let bob: DemoContact;
  let carol: DemoContact;

  beforeAll(async () => {
    h = await createHarness();
    client = await startGroupMember(h);
    alice = await h.contact('Alice');
    bob = await h.contact('Bob');
    carol = await h.contact('Carol');
    // Chats with each (the UI picks members from them); an invitee is told of the group in theirs.
    for (const contact of [alice, bob, carol]) client.conversation(contact.aci);
    // Alice writes first, with her profile key: we can fetch her profile key credential. Bob and Carol never did.
    const target = await alice.ensureSession(h.account.aci);
    await alice.device.sendText(target, 'hello', { withProfileKey: true });
    await vi.waitFor(() => {
      const chat = client.store.findConversationByServiceId(alice.aci);
      expect(chat && client.store.getProfileKey(chat.id)).toBeTruthy();
    }, WAIT);
  });
  afterAll(async () => {
    await h?.close();
  });

  const masterKeyOf = (groupId: string): Buffer =>
    (h.vault.db.prepare('SELECT master_key FROM groups WHERE id = ?').get(groupId) as { master_key: Buffer })
      .master_key;

  /** The group as the server holds it, read with the mock's own Group (what a member's phone sees). */
  async function onServer(groupId: string) {
    const secretParams = GroupSecretParams.deriveFromMasterKey(
      new GroupMasterKey(new Uint8Array(masterKeyOf(groupId))),
    );
    const serverGroup = await h.network.server.getGroup(
      new Uint8Array(secretParams.getPublicParams().serialize()),
    );
    const group = new Group({ secretParams: secretParams as never, groupState: serverGroup!.state });
    const timerBlob = serverGroup!.state.disappearingMessagesTimer;
    const timer = timerBlob?.length
      ? decodeAttributeBlob(new ClientZkGroupCipher(secretParams).decryptBlob(Buffer.from(timerBlob)))
          .disappearingMessagesDuration
      : undefined;
    return { group, serverGroup: serverGroup!, timer: timer || null };
  }

  /** A change made by a member's phone straight on the group service (it tells nobody). */
  async function changeAs(contact: DemoContact, groupId: string, actions: Record<string, unknown>) {
    const { group, serverGroup } = await onServer(groupId);
    const result = await h.network.server.modifyGroup({
      group: serverGroup,
      actions: { ...EMPTY_GROUP_ACTIONS, version: serverGroup.revision + 1, ...actions },
      aciCiphertext: group.encryptServiceId(contact.aci as never),
      pniCiphertext: undefined,
    });
    expect(result.conflict).toBe(false);
  }

  const renameTo = (group: Group, title: string) => ({
    modifyTitle: { title: group.encryptBlob({ content: { title } }) },
  });

  const changeEvents = (conversationId: string): GroupChangeRecord[] =>
    client.store
      .page(conversationId, { limit: 200 })
      .messages.filter((m: Message) => m.eventType === 'group-change')
      .reverse()
      .map((m) => m.eventData as unknown as GroupChangeRecord);

  /** The next DataMessage with this group's context at this revision a phone decrypts (others skipped). */
  async function contextMessageTo(contact: DemoContact, groupId: string, revision: number) {
    const masterKey = masterKeyOf(groupId);
    for (;;) {
      const got = await contact.device.waitForMessage();
      const context = got.dataMessage.groupV2;
      // Revision 0 is not on the wire (proto3 default): the mock decodes it as null.
      if (!context?.masterKey || (context.revision ?? 0) !== revision) continue;
      if (masterKey.equals(context.masterKey)) return { ...got, context };
    }
  }

  /** The same, carrying our server-signed change. */
  async function changeMessageTo(contact: DemoContact, groupId: string, revision: number) {
    const got = await contextMessageTo(contact, groupId, revision);
    expect(got.context.groupChange?.length).toBeGreaterThan(0);
    return got;
  }

  it('creates a group: a contact whose profile key we hold joins, one without is invited; the timeline says so', async () => {
    const created = await client.groups.create({
      title: '  Climbing club ',
      members: [alice.aci, bob.aci],
      timerSeconds: 3600,
    });
    expect(created.membership).toBe('member');
    expect(created.state).toMatchObject({ revision: 0, title: 'Climbing club', timerSeconds: 3600 });
    expect(created.state.members.map((m) => [m.aci, m.role]).sort()).toEqual(
      [
        [h.account.aci, 'administrator'],
        [alice.aci, 'member'],
      ].sort(),
    );
    expect(created.state.pending).toMatchObject([{ serviceId: bob.aci, addedBy: h.account.aci }]);

    // The members' phones read the same group from the server.
    const { group, timer } = await onServer(created.id);
    expect(group.title).toBe('Climbing club');
    expect(group.getMemberByServiceId(alice.aci as never)).toBeDefined();
    expect(group.getPendingMemberByServiceId(bob.aci as never)).toBeDefined();
    expect(timer).toBe(3600);
    // Alice is told through the group; Bob, invited, in his 1:1 chat — so his phone learns of the group.
    await contextMessageTo(alice, created.id, 0);
    await contextMessageTo(bob, created.id, 0);

    const conversation = client.store.getConversation(created.conversationId!);
    expect(conversation).toMatchObject({
      profileName: 'Climbing club',
      isRequest: false,
      expireTimerSeconds: 3600,
    });
    expect(changeEvents(created.conversationId!)).toEqual([
      {
        actor: h.account.aci,
        revision: 0,
        changes: [
          { kind: 'created', text: 'Climbing club' },
          { kind: 'added', subject: alice.aci },
          { kind: 'invited', subject: bob.aci },
        ],
      },
    ]);
  });

  it('refuses an empty or too long title (nothing created)', async () => {
    const before = h.vault.db.prepare('SELECT COUNT(*) AS n FROM groups').get();
    await expect(client.groups.create({ title: '   ', members: [] })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.groups.create({ title: 'x'.repeat(33), members: [] })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(h.vault.db.prepare('SELECT COUNT(*) AS n FROM groups').get()).toEqual(before);
  });

  it('invites a contact, who accepts on their phone; a title change follows: the log is applied in order', async () => {
    const created = await client.groups.create({ title: 'Book club', members: [alice.aci] });
    const invited = await client.groups.invite(created.id, [carol.aci, alice.aci]);
    expect(invited.state.revision).toBe(1);
    expect(invited.state.pending.map((p) => p.serviceId)).toEqual([carol.aci]);
    await changeMessageTo(carol, created.id, 1);

    // Carol accepts with her profile key credential; then Alice renames the group. Neither tells us.
    const { group } = await onServer(created.id);
    // The phone's own credential presentation (the mock keeps the method private; Signal's phones do this).
    const phone = carol.device as unknown as {
      getProfileKeyPresentation(params: unknown): Promise<{ serialize(): Uint8Array<ArrayBuffer> }>;
    };
    const presentation = await phone.getProfileKeyPresentation(group.secretParams);
    await changeAs(carol, created.id, {
      promoteMembersPendingProfileKey: [
        { presentation: presentation.serialize(), userId: null, profileKey: null },
      ],
    });
    await changeAs(alice, created.id, renameTo(group, 'Reading circle'));

    const updated = await client.groups.update(created.id);
    expect(updated.state).toMatchObject({ revision: 3, title: 'Reading circle' });
    expect(client.store.getConversation(created.conversationId!)?.profileName).toBe('Reading circle');
    expect(changeEvents(created.conversationId!).slice(1)).toEqual([
      { actor: h.account.aci, revision: 1, changes: [{ kind: 'invited', subject: carol.aci }] },
      { actor: carol.aci, revision: 2, changes: [{ kind: 'joined', subject: carol.aci }] },
      { actor: alice.aci, revision: 3, changes: [{ kind: 'title', text: 'Reading circle' }] },
    ]);

    // Our own rename: one more signed change, the server holds it, the timeline says so.
    const ours = await client.groups.setTitle(created.id, 'Readers');
    expect(ours.state).toMatchObject({ revision: 4, title: 'Readers' });
    expect((await onServer(created.id)).group.title).toBe('Readers');
    expect(changeEvents(created.conversationId!).at(-1)).toEqual({
      actor: h.account.aci,
      revision: 4,
      changes: [{ kind: 'title', text: 'Readers' }],
    });
  });

  it('the timer: ours follows a member’s change, and our change reaches the server for every member', async () => {
    const created = await client.groups.create({ title: 'Hiking', members: [alice.aci] });
    const { group } = await onServer(created.id);
    // Alice sets one hour and tells us (a DataMessage with the group context and her signed change).
    await alice.device.modifyGroupDisappearingMessageTimer(group, 3600, {
      sendUpdateTo: [{ device: h.device }],
    });
    const conversationId = created.conversationId!;
    await vi.waitFor(
      () => expect(client.store.getConversation(conversationId)?.expireTimerSeconds).toBe(3600),
      WAIT,
    );
    expect(changeEvents(conversationId).at(-1)).toEqual({
      actor: alice.aci,
      revision: 1,
      changes: [{ kind: 'timer', timerSeconds: 3600 }],
    });

    // The UI's timer control (client.setExpireTimer) changes the group's timer.
    const five = await client.setExpireTimer(conversationId, 300);
    expect(five.expireTimerSeconds).toBe(300);
    expect((await onServer(created.id)).timer).toBe(300);
    // Alice's phone is told: a group DataMessage with the timer and our signed change of revision 2.
    const told = await changeMessageTo(alice, created.id, 2);
    expect(told.dataMessage.expireTimer).toBe(300);
    const off = await client.setExpireTimer(conversationId, 0);
    expect(off.expireTimerSeconds).toBeNull();
    expect((await onServer(created.id)).timer).toBeNull();
    expect(changeEvents(conversationId).slice(-2)).toEqual([
      { actor: h.account.aci, revision: 2, changes: [{ kind: 'timer', timerSeconds: 300 }] },
      { actor: h.account.aci, revision: 3, changes: [{ kind: 'timer', timerSeconds: null }] },
    ]);
  });

  it('leave: we are no member any more, the history stays and says we left', async () => {
    const created = await client.groups.create({ title: 'Choir', members: [alice.aci] });
    const left = await client.groups.leave(created.id);
    expect(left).toMatchObject({ membership: 'none', conversationId: created.conversationId });
    const { group } = await onServer(created.id);
    expect(group.getMemberByServiceId(h.account.aci as never)).toBeUndefined();
    expect(changeEvents(created.conversationId!).at(-1)).toEqual({
      actor: h.account.aci,
      revision: 1,
      changes: [{ kind: 'left', subject: h.account.aci }],
    });
    expect(client.store.getConversation(created.conversationId!)).toBeDefined();
    // The members were told before we stopped being one.
    await changeMessageTo(alice, created.id, 1);
    await expect(client.groups.setTitle(created.id, 'Back')).rejects.toBeInstanceOf(PreconditionError);
  });

  it('decline an invitation: our entry leaves the server and the conversation goes', async () => {
    const created = await alice.device.createGroup({ title: 'Surprise', members: [alice.device] });
    await alice.device.inviteToGroup(created, h.device);
    await vi.waitFor(() => expect(client.groups.get(created.id)?.membership).toBe('invited'), WAIT);
    const conversationId = client.groups.get(created.id)!.conversationId!;
    expect(changeEvents(conversationId)).toEqual([
      { actor: alice.aci, revision: 1, changes: [{ kind: 'invited', subject: h.account.aci }] },
    ]);

    await client.groups.declineInvitation(created.id);
    const { group } = await onServer(created.id);
    expect(group.getPendingMemberByServiceId(h.account.aci as never)).toBeUndefined();
    expect(client.store.getConversation(conversationId)).toBeUndefined();
    expect(client.groups.get(created.id)).toMatchObject({ membership: 'none', conversationId: null });
  });

  it('decline an invitation to our phone number identity (PNI): the PNI entry goes', async () => {
    const created = await alice.device.createGroup({ title: 'Neighbours', members: [alice.device] });
    const group = await alice.device.inviteToGroup(created, h.device, {
      serviceIdKind: ServiceIdKind.PNI,
      sendUpdateTo: [],
    });
    const invited = await client.groups.refresh(group.masterKey);
    expect(invited.state.pending).toMatchObject([{ serviceId: h.account.pni }]);
    await client.groups.declineInvitation(invited.id);
    expect(
      (await onServer(invited.id)).group.getPendingMemberByServiceId(h.account.pni as never),
    ).toBeUndefined();
    expect(client.store.getConversation(invited.conversationId!)).toBeUndefined();
  });

  it('a change log entry whose server signature does not verify is refused, nothing stored; a signed one applies', async () => {
    const created = await client.groups.create({ title: 'Signed', members: [alice.aci] });
    const { group, serverGroup } = await onServer(created.id);
    await changeAs(alice, created.id, renameTo(group, 'Forged?'));
    // The mock keeps its log unsigned: sign the entry as a server would, wrongly, then rightly.
    const log = (
      serverGroup as unknown as {
        changes: {
          groupChanges: Array<{ groupChange: { actions: Uint8Array; serverSignature: Uint8Array | null } }>;
        };
      }
    ).changes.groupChanges;
    const entry = log[1]!.groupChange;
    entry.serverSignature = randomBytes(64);
    const events = changeEvents(created.conversationId!).length;
    const refused = await client.groups.update(created.id).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ProtocolError);
    expect(client.groups.get(created.id)?.state).toMatchObject({ revision: 0, title: 'Signed' });
    expect(changeEvents(created.conversationId!)).toHaveLength(events);

    const zkSecret = (
      h.network.server as unknown as { zkSecret: { sign(m: Uint8Array): { serialize(): Uint8Array } } }
    ).zkSecret;
    entry.serverSignature = zkSecret.sign(Buffer.from(entry.actions)).serialize();
    const applied = await client.groups.update(created.id);
    expect(applied.state).toMatchObject({ revision: 1, title: 'Forged?' });
    expect(changeEvents(created.conversationId!).at(-1)).toMatchObject({ actor: alice.aci, revision: 1 });
  });
});

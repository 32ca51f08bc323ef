/**
 * Groups v2 foundation on the demo network (issue 15): the mock server's own group service and simulated
 * phones create, change and encrypt the groups; Carapace fetches and decrypts the state with zkgroup
 * credentials, stores it in the vault, accepts an invitation, and receives sender-key group messages.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMPTY_GROUP_ACTIONS, ServiceIdKind, type Group } from '@signalapp/mock-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DemoContact } from '../demo/network.js';
import { ProtocolError } from '../errors.js';
import type { MessagingClient } from '../messaging/client.js';
import { createHarness, type Harness } from '../messaging/test-support/harness.js';
import { startGroupMember } from './test-support/member.js';
import { distributeSenderKey, memberEnvelope } from './test-support/member-messages.js';
import { VAULT_FILES } from '../vault/vault.js';

const WAIT = { timeout: 10_000, interval: 50 };
/** The mock's zkgroup objects come from its own copy of libsignal: their types do not resolve here. */
const serialized = (value: unknown): Buffer =>
  Buffer.from((value as { serialize(): Uint8Array<ArrayBuffer> }).serialize());

describe('groups v2 on the demo network', () => {
  let h: Harness;
  let client: MessagingClient;
  let alice: DemoContact;
  let bob: DemoContact;

  beforeAll(async () => {
    h = await createHarness();
    client = await startGroupMember(h);
    alice = await h.contact('Alice');
    bob = await h.contact('Bob');
    await alice.ensureSession(h.account.aci);
  });
  afterAll(async () => {
    await h?.close();
  });

  const groupIdOf = (group: Group): string => group.id;

  it('fetches and decrypts a group with a zkgroup auth presentation, stores it (master key in the vault)', async () => {
    const group = await alice.device.createGroup({
      title: 'Climbing club',
      members: [alice.device, bob.device],
    });
    const known = await client.groups.refresh(group.masterKey);
    expect(known).toMatchObject({ id: groupIdOf(group), membership: 'none', conversationId: null });
    expect(known.state).toMatchObject({
      revision: 0,
      title: 'Climbing club',
      description: null,
      timerSeconds: null,
      access: { attributes: 'member', members: 'member', addFromInviteLink: 'unsatisfiable' },
      pending: [],
      requesting: [],
    });
    expect(known.state.members.map((m) => [m.aci, m.role]).sort()).toEqual(
      [
        [alice.aci, 'administrator'],
        [bob.aci, 'administrator'],
      ].sort(),
    );
    // Each member's profile key, decrypted with the group's keys.
    const aliceEntry = known.state.members.find((m) => m.aci === alice.aci);
    expect(aliceEntry?.profileKey).toBe(serialized(alice.device.profileKey).toString('base64'));
    const row = h.vault.db.prepare('SELECT master_key, revision FROM groups WHERE id = ?').get(known.id) as {
      master_key: Buffer;
      revision: number;
    };
    expect(Buffer.from(row.master_key).equals(group.masterKey)).toBe(true);
    // At rest it is SQLCipher ciphertext like the rest of the vault (the DB file and its WAL).
    for (const file of [VAULT_FILES.db, `${VAULT_FILES.db}-wal`].map((f) => join(h.profileDir, f))) {
      if (existsSync(file)) expect(readFileSync(file).includes(group.masterKey)).toBe(false);
    }
    expect(client.groups.get(known.id)?.state.title).toBe('Climbing club');

    // The timer, changed by Alice, arrives with the next fetch.
    const timed = await alice.device.modifyGroupDisappearingMessageTimer(group, 3600);
    expect((await client.groups.refresh(timed.masterKey)).state).toMatchObject({
      revision: 1,
      timerSeconds: 3600,
    });
  });

  it('malformed state from the server: a typed error and nothing stored', async () => {
    const group = await alice.device.createGroup({ title: 'Broken', members: [alice.device] });
    const serverGroup = await h.network.server.getGroup(new Uint8Array(serialized(group.publicParams)));
    // A title that is not a ciphertext of this group's keys.
    (serverGroup!.state as { title: Uint8Array }).title = randomBytes(64);
    const failure = await client.groups.refresh(group.masterKey).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProtocolError);
    expect((failure as Error).message).toBe('Malformed group state: title.');
    expect(client.groups.get(groupIdOf(group))).toBeUndefined();
    const rows = h.vault.db.prepare('SELECT COUNT(*) AS n FROM groups WHERE id = ?').get(groupIdOf(group));
    expect(rows).toEqual({ n: 0 });
  });

  it('an invitation arrives, is held like a request, and accepting it makes us a member', async () => {
    const created = await alice.device.createGroup({
      title: 'Book club',
      members: [alice.device, bob.device],
    });
    await alice.device.inviteToGroup(created, h.device);
    const id = groupIdOf(created);
    await vi.waitFor(() => expect(client.groups.get(id)?.membership).toBe('invited'), WAIT);
    const invited = client.groups.get(id)!;
    expect(invited.state.pending).toMatchObject([
      { serviceId: h.account.aci, role: 'member', addedBy: alice.aci },
    ]);
    const request = client.store.getConversation(invited.conversationId!);
    expect(request).toMatchObject({ isRequest: true, profileName: 'Book club' });

    const accepted = await client.groups.acceptInvitation(id);
    expect(accepted.membership).toBe('member');
    expect(accepted.state.revision).toBe(2);
    expect(accepted.state.pending).toEqual([]);
    expect(accepted.state.members.find((m) => m.aci === h.account.aci)).toMatchObject({
      role: 'member',
      profileKey: Buffer.from(h.account.profileKey).toString('base64'),
    });
    expect(client.store.getConversation(accepted.conversationId!)).toMatchObject({ isRequest: false });
  });

  it('an invitation to our phone number identity (PNI) is accepted with our ACI', async () => {
    const created = await alice.device.createGroup({ title: 'Neighbours', members: [alice.device] });
    const group = await alice.device.inviteToGroup(created, h.device, {
      serviceIdKind: ServiceIdKind.PNI,
      sendUpdateTo: [],
    });
    const invited = await client.groups.refresh(group.masterKey);
    expect(invited.membership).toBe('invited');
    expect(invited.state.pending).toMatchObject([{ serviceId: h.account.pni }]);
    const accepted = await client.groups.acceptInvitation(invited.id);
    expect(accepted.membership).toBe('member');
    expect(accepted.state.pending).toEqual([]);
    expect(accepted.state.members.map((m) => m.aci)).toContain(h.account.aci);
  });

  /** The contact's sealed sender-key message to us, encrypted by its phone (not sent yet). */
  async function groupEnvelope(contact: DemoContact, group: Group, distributionId: string, body: string) {
    const timestamp = Date.now();
    const envelope = await memberEnvelope(h, contact, { group, distributionId, timestamp }, { body });
    return { envelope, timestamp };
  }

  async function groupMessage(contact: DemoContact, group: Group, distributionId: string, body: string) {
    const { envelope, timestamp } = await groupEnvelope(contact, group, distributionId, body);
    await h.network.server.send(h.device, envelope);
    return timestamp;
  }

  it('receives sender-key group messages (sealed sender) into the group conversation; non-members refused', async () => {
    const created = await alice.device.createGroup({ title: 'Hiking', members: [alice.device, bob.device] });
    const group = await alice.device.inviteToGroup(created, h.device);
    const id = groupIdOf(group);
    await vi.waitFor(() => expect(client.groups.get(id)?.membership).toBe('invited'), WAIT);
    const { conversationId } = await client.groups.acceptInvitation(id);

    const fromAlice = await distributeSenderKey(h, client, alice);
    const sentAt = await groupMessage(alice, group, fromAlice, 'see you at the trailhead');
    await vi.waitFor(() => {
      const page = client.store.page(conversationId!);
      expect(page.messages.map((m) => [m.body, m.sourceServiceId, m.sentAt])).toContainEqual([
        'see you at the trailhead',
        alice.aci,
        sentAt,
      ]);
    }, WAIT);

    // Replayed (the same envelope again) and out of order (an older one after a newer): once each.
    const older = await groupEnvelope(alice, group, fromAlice, 'older');
    const newer = await groupEnvelope(alice, group, fromAlice, 'newer');
    const duplicates = client.receiver.stats.duplicate;
    for (const envelope of [newer.envelope, older.envelope, newer.envelope]) {
      await h.network.server.send(h.device, envelope);
    }
    await vi.waitFor(() => {
      const bodies = client.store.page(conversationId!).messages.map((m) => m.body);
      expect(bodies.filter((b) => b === 'older' || b === 'newer').sort()).toEqual(['newer', 'older']);
    }, WAIT);
    await vi.waitFor(() => expect(client.receiver.stats.duplicate).toBe(duplicates + 1), WAIT);

    // Carol is not in the group: her message, though it decrypts, is refused.
    const carol = await h.contact('Carol');
    const fromCarol = await distributeSenderKey(h, client, carol);
    const dropped = client.receiver.stats.dropped;
    await groupMessage(carol, group, fromCarol, 'let me in');
    await vi.waitFor(() => expect(client.receiver.stats.dropped).toBe(dropped + 1), WAIT);
    expect(client.store.page(conversationId!).messages.map((m) => m.body)).not.toContain('let me in');
  });

  it('removed from a group: the history stays, later messages are refused', async () => {
    const created = await alice.device.createGroup({ title: 'Choir', members: [alice.device] });
    const group = await alice.device.inviteToGroup(created, h.device);
    await vi.waitFor(() => expect(client.groups.get(group.id)?.membership).toBe('invited'), WAIT);
    const { conversationId } = await client.groups.acceptInvitation(group.id);
    const fromAlice = await distributeSenderKey(h, client, alice);
    await groupMessage(alice, group, fromAlice, 'rehearsal at 7');
    // The timeline's group-change events (invited, joined, removed) are not messages.
    const texts = () => client.store.page(conversationId!).messages.filter((m) => m.kind === 'message');
    await vi.waitFor(() => expect(texts()).toHaveLength(1), WAIT);

    // Alice (an administrator) removes us: the mock's group service applies the change.
    const onServer = await h.network.server.getGroup(new Uint8Array(serialized(group.publicParams)));
    const result = await h.network.server.modifyGroup({
      group: onServer!,
      actions: {
        ...EMPTY_GROUP_ACTIONS,
        version: onServer!.revision + 1,
        deleteMembers: [{ deletedUserId: group.encryptServiceId(h.account.aci as never) }],
      },
      aciCiphertext: group.encryptServiceId(alice.aci as never),
      pniCiphertext: undefined,
    });
    expect(result.conflict).toBe(false);
    const removed = await client.groups.refresh(group.masterKey);
    expect(removed).toMatchObject({ membership: 'none', conversationId });
    expect(texts().map((m) => m.body)).toEqual(['rehearsal at 7']);
    // The conversation says so (a full fetch does not say who removed us).
    expect(client.store.page(conversationId!).messages[0]).toMatchObject({
      eventType: 'group-change',
      eventData: { actor: null, changes: [{ kind: 'removed', subject: h.account.aci }] },
    });

    const dropped = client.receiver.stats.dropped;
    await groupMessage(alice, group, fromAlice, 'you are out');
    await vi.waitFor(() => expect(client.receiver.stats.dropped).toBe(dropped + 1), WAIT);
    expect(texts()).toHaveLength(1);
  });

  it('a group message for a group we are not in is refused; the group is only remembered', async () => {
    const secret = await bob.device.createGroup({ title: 'Surprise party', members: [bob.device] });
    const fromBob = await distributeSenderKey(h, client, bob);
    const dropped = client.receiver.stats.dropped;
    await groupMessage(bob, secret, fromBob, 'not for you');
    await vi.waitFor(() => expect(client.receiver.stats.dropped).toBe(dropped + 1), WAIT);
    // Told of it, fetched after the commit: we are no member, so it has no conversation.
    await vi.waitFor(() => expect(client.groups.get(groupIdOf(secret))?.membership).toBe('none'), WAIT);
    expect(client.groups.get(groupIdOf(secret))?.conversationId).toBeNull();
  });
});

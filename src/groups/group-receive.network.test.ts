/**
 * Receiving in groups in depth (issue 15): a group DataMessage takes the 1:1 data path with the group's
 * conversation as its target — replies, reactions, deletes, edits, attachments, link previews, view-once and
 * the group's timer — the hardening policy for a group we were added to by a stranger (a message request: no
 * receipts, no downloads until accepted) and a member's identity change shown in the group. Simulated
 * members are the mock server's own phones.
 */
import { randomBytes } from 'node:crypto';
import {
  Aci,
  IdentityKeyPair,
  ProtocolAddress,
  type PrivateKey,
  type PublicKey,
} from '@signalapp/libsignal-client';
import {
  ClientZkProfileOperations,
  ExpiringProfileKeyCredentialResponse,
  GroupSecretParams,
  ProfileKey,
  ServerPublicParams,
} from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import { Proto, ServiceIdKind, type Device, type Group } from '@signalapp/mock-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DemoContact } from '../demo/network.js';
import { mockAttachment, mockCrypto } from '../messaging/attachments/mock-contact.test-support.js';
import type { MessagingClient } from '../messaging/client.js';
import type { Message } from '../messaging/store.js';
import { createHarness, type Harness } from '../messaging/test-support/harness.js';
import { startGroupMember } from './test-support/member.js';
import { distributeSenderKey, groupOnServer, memberEnvelope } from './test-support/member-messages.js';

const WAIT = { timeout: 15_000, interval: 50 };

describe('receiving in groups (demo network)', () => {
  let h: Harness;
  let client: MessagingClient;
  let alice: DemoContact;
  let bob: DemoContact;
  /** Alice's group with Bob and us (invited by Alice, accepted). */
  let group: Group;
  let conversationId: string;
  const distributions = new Map<DemoContact, string>();

  beforeAll(async () => {
    h = await createHarness();
    client = await startGroupMember(h);
    alice = await h.contact('Alice');
    bob = await h.contact('Bob');
    await alice.ensureSession(h.account.aci);
    const created = await alice.device.createGroup({
      title: 'Rope team',
      members: [alice.device, bob.device],
    });
    group = await alice.device.inviteToGroup(created, h.device);
    await vi.waitFor(() => expect(client.groups.get(group.id)?.membership).toBe('invited'), WAIT);
    conversationId = (await client.groups.acceptInvitation(group.id)).conversationId!;
    group = await groupOnServer(h, group); // the revision our acceptance made
  });
  afterAll(async () => {
    await h?.close();
  });

  /**
   * The member's sealed sender-key message in `target` (a DataMessage, or an edit of one), encrypted by its
   * phone and queued for us; resolves with its timestamp once the server holds it.
   */
  async function memberSends(
    member: DemoContact,
    fields: Record<string, unknown>,
    options: { target?: Group; edit?: number; timestamp?: number } = {},
  ): Promise<number> {
    let distributionId = distributions.get(member);
    if (!distributionId) {
      distributionId = await distributeSenderKey(h, client, member);
      distributions.set(member, distributionId);
    }
    const timestamp = options.timestamp ?? Date.now();
    const sent = { group: options.target ?? group, distributionId, timestamp };
    const envelope = await memberEnvelope(
      h,
      member,
      options.edit === undefined ? sent : { ...sent, edit: options.edit },
      fields,
    );
    await h.network.server.send(h.device, envelope);
    return timestamp;
  }

  function messages(id = conversationId): readonly Message[] {
    return client.store.page(id, { limit: 200 }).messages;
  }

  async function arrived(sentAt: number, id = conversationId): Promise<Message> {
    let found: Message | undefined;
    await vi.waitFor(() => {
      found = messages(id).find((m) => m.kind === 'message' && m.sentAt === sentAt);
      expect(found).toBeDefined();
    }, WAIT);
    return found!;
  }

  /** An encrypted file on the mock CDN and its pointer, as a member's phone uploads it. */
  async function uploadedFile(contentType: string, bytes = randomBytes(2048)) {
    const encrypted = mockCrypto.encryptAttachment(bytes);
    const cdnKey = `group-${randomBytes(8).toString('hex')}`;
    await h.network.server.storeAttachmentOnCdn(3, cdnKey, encrypted.blob);
    return { ...mockAttachment.attachmentToPointer(cdnKey, encrypted), contentType, cdnNumber: 3 };
  }

  it('a reply, reactions, an edit and deletes from members change the group chat; only authors delete or edit', async () => {
    const original = await memberSends(alice, { body: 'summit at dawn?' });
    const first = await arrived(original);
    expect(first).toMatchObject({ body: 'summit at dawn?', sourceServiceId: alice.aci, direction: 'in' });

    // Bob replies to Alice's message: the quote names her (a member, not Bob and not us).
    const reply = await memberSends(bob, {
      body: 'only if the weather holds',
      quote: { id: BigInt(original), authorAci: alice.aci, text: 'summit at dawn?', attachments: [] },
    });
    const replied = await arrived(reply);
    expect(replied.sourceServiceId).toBe(bob.aci);
    expect(replied.quote).toMatchObject({ sentAt: original, foundId: first.id, authorIsYou: false });

    // Bob reacts to Alice's message; Alice reacts to Bob's.
    await memberSends(bob, {
      reaction: {
        emoji: '👍',
        remove: false,
        targetAuthorAci: alice.aci,
        targetSentTimestamp: BigInt(original),
      },
    });
    await memberSends(alice, {
      reaction: { emoji: '❤️', remove: false, targetAuthorAci: bob.aci, targetSentTimestamp: BigInt(reply) },
    });
    await vi.waitFor(() => {
      expect(client.store.getMessage(first.id)?.reactions).toMatchObject([{ emoji: '👍', fromYou: false }]);
      expect(client.store.getMessage(replied.id)?.reactions).toMatchObject([{ emoji: '❤️' }]);
    }, WAIT);

    // Alice edits her message; Bob's attempt to edit or delete it changes nothing.
    await memberSends(bob, { body: 'hijacked' }, { edit: original });
    await memberSends(bob, { delete: { targetSentTimestamp: BigInt(original) } });
    await memberSends(alice, { body: 'summit at 6?' }, { edit: original });
    await vi.waitFor(() => expect(client.store.getMessage(first.id)?.body).toBe('summit at 6?'), WAIT);
    expect(client.store.getMessage(first.id)).toMatchObject({ deleted: false, editCount: 1 });

    // Bob deletes his own reply for everyone: a tombstone stays.
    await memberSends(bob, { delete: { targetSentTimestamp: BigInt(reply) } });
    await vi.waitFor(() => expect(client.store.getMessage(replied.id)?.deleted).toBe(true), WAIT);
    expect(client.store.getMessage(replied.id)?.body).toBeNull();
  });

  it('attachments, link previews and view-once media arrive in the group chat, under the group’s timer', async () => {
    // Alice sets the group's timer; her update tells us of the newer revision and we fetch it.
    group = await alice.device.modifyGroupDisappearingMessageTimer(group, 3600, {
      sendUpdateTo: [{ device: h.device, options: {} }],
    });
    await vi.waitFor(
      () => expect(client.store.getConversation(conversationId)?.expireTimerSeconds).toBe(3600),
      WAIT,
    );

    const photo = await memberSends(bob, { attachments: [await uploadedFile('image/jpeg')] });
    const withPhoto = await arrived(photo);
    expect(withPhoto).toMatchObject({ sourceServiceId: bob.aci, expireTimerSeconds: 3600 });
    expect(withPhoto.attachmentIds).toHaveLength(1);
    await vi.waitFor(
      () => expect(client.attachmentInfo(withPhoto.attachmentIds[0]!)?.state).toBe('ready'),
      WAIT,
    );

    const link = await memberSends(alice, {
      body: 'route topo: https://example.org/topo',
      preview: [{ url: 'https://example.org/topo', title: 'The topo', description: 'pitches 1-6' }],
    });
    expect((await arrived(link)).preview).toMatchObject({
      url: 'https://example.org/topo',
      title: 'The topo',
    });

    const once = await memberSends(alice, {
      isViewOnce: true,
      attachments: [await uploadedFile('image/png')],
    });
    expect(await arrived(once)).toMatchObject({ viewOnce: true, expireTimerSeconds: 3600 });
  });

  it('reading the group chat sends each author the read receipts of their own messages', async () => {
    const fromAlice = await memberSends(alice, { body: 'read me, Alice' });
    const fromBob = await memberSends(bob, { body: 'read me, Bob' });
    await arrived(fromBob);
    await arrived(fromAlice);
    await client.markRead(conversationId);
    const readBy = async (member: DemoContact): Promise<number[]> => {
      for (;;) {
        const { receiptMessage } = await member.device.waitForReceipt();
        if (receiptMessage.type === Proto.ReceiptMessage.Type.READ)
          return (receiptMessage.timestamp ?? []).map(Number);
      }
    };
    const aliceRead = await readBy(alice);
    expect(aliceRead).toContain(fromAlice);
    expect(aliceRead).not.toContain(fromBob);
    expect(await readBy(bob)).toContain(fromBob);
  });

  it('a blocked group: its messages are dropped', async () => {
    client.store.updateConversation(conversationId, { blocked: true });
    const dropped = client.receiver.stats.dropped;
    await memberSends(alice, { body: 'anyone there?' });
    await vi.waitFor(() => expect(client.receiver.stats.dropped).toBe(dropped + 1), WAIT);
    expect(messages().map((m) => m.body)).not.toContain('anyone there?');
    client.store.updateConversation(conversationId, { blocked: false });
  });

  it('a group a stranger added us to is a message request: stored, but no receipts and no downloads until accepted', async () => {
    const dave = await h.contact('Dave');
    // Dave creates the group with us as a full member (as a real client may, with our profile key credential).
    const created = await dave.device.createGroup({
      title: 'Free crypto',
      members: [dave.device, ourMember() as never],
    });
    // Dave's group update tells us of it; the state is fetched after that commit.
    await memberSends(dave, {}, { target: created });
    await vi.waitFor(() => expect(client.groups.get(created.id)?.membership).toBe('member'), WAIT);
    const requestId = client.groups.get(created.id)!.conversationId!;
    expect(client.store.getConversation(requestId)).toMatchObject({ isRequest: true });

    const held = await memberSends(
      dave,
      {
        body: 'click this',
        attachments: [await uploadedFile('image/jpeg')],
      },
      { target: created },
    );
    const message = await arrived(held, requestId);
    // Held: the attachment waits (fetching would tell the CDN), no receipt goes to Dave.
    await new Promise((r) => setTimeout(r, 300));
    expect(client.attachmentInfo(message.attachmentIds[0]!)?.state).toBe('pending');

    await client.acceptRequest(requestId);
    await vi.waitFor(
      () => expect(client.attachmentInfo(message.attachmentIds[0]!)?.state).toBe('ready'),
      WAIT,
    );
    const after = await memberSends(dave, { body: 'thanks' }, { target: created });
    await arrived(after, requestId);
    // The first receipt Dave ever gets is for the message after the acceptance.
    const receipt = await dave.device.waitForReceipt();
    expect(receipt.receiptMessage.timestamp?.map(Number)).toEqual([after]);
  });

  it('a member whose identity key changed is marked in the group, like 1:1', async () => {
    await memberSends(bob, { body: 'before my new phone' });
    const events = () => messages().filter((m) => m.kind === 'event' && m.eventType === 'identity-changed');
    expect(events()).toHaveLength(0);

    await reinstall(bob);
    distributions.delete(bob);
    const sentAt = await memberSends(bob, { body: 'new phone, same me' });
    await arrived(sentAt);
    await vi.waitFor(() => expect(events()).toHaveLength(1), WAIT);
    expect(events()[0]!.eventData).toMatchObject({ serviceId: bob.aci });
  });

  it('a flood of distribution messages (for groups we do not know) is kept, bounded per sender device', async () => {
    const eve = await h.contact('Eve');
    await eve.ensureSession(h.account.aci);
    const rows = () =>
      h.vault.db
        .prepare('SELECT count(*) AS n FROM signal_sender_keys WHERE service_id = ?')
        .get(eve.aci) as { n: number };
    const before = client.receiver.stats.other; // a distribution message alone stores no message
    let last = '';
    for (let i = 0; i < 300; i += 1) last = await eve.device.sendSenderKey(h.device);
    await vi.waitFor(() => expect(client.receiver.stats.other - before).toBe(300), {
      timeout: 60_000,
      interval: 100,
    });
    expect(rows().n).toBe(256);
    // The newest is among those kept: a group message with it decrypts.
    const address = ProtocolAddress.new(eve.aci, 1);
    await vi.waitFor(async () => {
      expect(await client.stores.senderKeys.getSenderKey(address, last)).not.toBeNull();
    }, WAIT);
  }, 120_000);

  /** Us as a member the mock's createGroup can add: our profile key credential's presentation. */
  function ourMember() {
    const profileKey = new ProfileKey(Buffer.from(h.account.profileKey));
    return {
      device: { aci: h.account.aci },
      profileKey,
      async getProfileKeyPresentation(params: GroupSecretParams) {
        const ops = new ClientZkProfileOperations(
          new ServerPublicParams(Buffer.from(h.network.config.serverPublicParams, 'base64')),
        );
        const context = ops.createProfileKeyCredentialRequestContext(
          Aci.parseFromServiceIdString(h.account.aci),
          profileKey,
        );
        const response = await h.network.server.issueExpiringProfileKeyCredential(
          h.device,
          context.getRequest(),
        );
        const credential = ops.receiveExpiringProfileKeyCredential(
          context,
          new ExpiringProfileKeyCredentialResponse(response!),
        );
        return ops.createExpiringProfileKeyCredentialPresentation(
          new GroupSecretParams(Buffer.from(params.serialize())),
          credential,
        );
      },
    };
  }

  /** The member reinstalls Signal: a new identity key, fresh prekeys, no sessions (the workshop does the same). */
  async function reinstall(member: DemoContact): Promise<void> {
    const phone = member.device as unknown as {
      privateKey: PrivateKey;
      publicKey: PublicKey;
      identity: Map<
        ServiceIdKind,
        {
          updateIdentityKey(k: PrivateKey): Promise<void>;
          saveIdentity(a: unknown, k: PublicKey): Promise<unknown>;
        }
      >;
      sessions: { sessions: Map<string, unknown> };
      privSenderCertificate: unknown;
      config: { getSenderCertificate(): Promise<unknown> };
      generateKeys(device: Device, kind: ServiceIdKind): Promise<Parameters<Device['setKeys']>[1]>;
    };
    const pair = IdentityKeyPair.generate();
    phone.privateKey = pair.privateKey;
    phone.publicKey = pair.publicKey;
    await phone.identity.get(ServiceIdKind.ACI)!.updateIdentityKey(pair.privateKey);
    await phone.identity.get(ServiceIdKind.ACI)!.saveIdentity(member.device.device.address, pair.publicKey);
    phone.sessions.sessions.clear();
    await member.device.device.setKeys(
      ServiceIdKind.ACI,
      await phone.generateKeys(member.device.device, ServiceIdKind.ACI),
    );
    phone.privSenderCertificate = await phone.config.getSenderCertificate(); // it names the identity key
  }
});

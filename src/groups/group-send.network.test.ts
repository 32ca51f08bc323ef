/**
 * Sending to groups on the demo network (issue 15): sender-key distribution, one multi-recipient sealed
 * send over gRPC with a group send token the demo server verifies, 409/410, the 1:1 fallback, per-member
 * delivery state — with the mock's simulated phones as the other members, decrypting what we send.
 */
import { randomUUID } from 'node:crypto';
import { ContentHint, ProtocolAddress, SenderCertificate } from '@signalapp/libsignal-client';
import { ReceiptType, type Group } from '@signalapp/mock-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DemoContact } from '../demo/network.js';
import { GrpcStatusError, PreconditionError } from '../errors.js';
import type { MessagingClient } from '../messaging/client.js';
import { createHarness, type Harness } from '../messaging/test-support/harness.js';
import { GrpcClient } from '../net/grpc.js';
import { sendMultiRecipientMessage } from '../net/grpc-multi-recipient.js';
import { directSocketOpener } from '../net/direct-opener.js';
import { encodeContent, padContent } from '../signal/proto/signal-service.js';
import { groupEncryptSealed, senderKeyDistribution } from '../signal/cipher.js';
import { GroupCredentials } from './credentials.js';
import { GroupServer } from './group-server.js';
import { secretParamsOf } from './group-store.js';
import { GroupEndorsements } from './send/endorsements.js';
import { GroupSendState } from './send/send-state.js';
import { removeFromGroup, startGroupMember } from './test-support/member.js';

const WAIT = { timeout: 15_000, interval: 50 };

type Received = Awaited<ReturnType<DemoContact['device']['waitForMessage']>>;

describe('sending to a group on the demo network', () => {
  let h: Harness;
  let client: MessagingClient;
  let alice: DemoContact;
  let bob: DemoContact;
  let carol: DemoContact;
  /** The demo server's clock: moved forward to expire endorsements at the server. */
  let serverTime = 0;

  beforeAll(async () => {
    h = await createHarness({ clock: () => Date.now() + serverTime });
    client = await startGroupMember(h);
    alice = await h.contact('Alice');
    bob = await h.contact('Bob');
    carol = await h.contact('Carol');
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A group Alice made with `others`, which we were invited to and joined. */
  async function joinedGroup(
    title: string,
    others: DemoContact[],
  ): Promise<{ group: Group; conversationId: string }> {
    const created = await alice.device.createGroup({
      title,
      members: [alice.device, ...others.map((o) => o.device)],
    });
    const group = await alice.device.inviteToGroup(created, h.device, { sendUpdateTo: [] });
    await client.groups.refresh(group.masterKey);
    const { conversationId } = await client.groups.acceptInvitation(group.id);
    return { group, conversationId: conversationId! };
  }

  /** The next message a phone decrypts, past announcements of group changes (accepting, leaving). */
  async function next(contact: DemoContact): Promise<Received> {
    for (;;) {
      const got = await contact.device.waitForMessage();
      const data = got.dataMessage;
      if (got.body || data.reaction || data.delete) return got;
    }
  }

  it('text, reply, reaction and delete reach every member, once encrypted for all (sender key, multi-recipient)', async () => {
    const { group, conversationId } = await joinedGroup('Climbers', [bob]);
    const sent = await client.sendText(conversationId, 'hello climbers');
    expect(sent.status).toBe('sent');
    for (const member of [alice, bob]) {
      const got = await next(member);
      expect(got.body).toBe('hello climbers');
      expect(got.source.aci).toBe(h.account.aci);
      expect(Buffer.from(got.dataMessage.groupV2!.masterKey!).equals(group.masterKey)).toBe(true);
    }
    const reply = await client.sendText(conversationId, 'see you there', undefined, sent.id);
    expect(reply.status).toBe('sent');
    await client.react(sent.id, '👍');
    await client.deleteForEveryone(reply.id);
    for (const member of [alice, bob]) {
      const quoted = await next(member);
      expect(quoted.body).toBe('see you there');
      expect(Number(quoted.dataMessage.quote?.id)).toBe(sent.sentAt);
      const reaction = await next(member);
      expect(reaction.dataMessage.reaction).toMatchObject({ emoji: '👍' });
      expect(Number(reaction.dataMessage.reaction?.targetSentTimestamp)).toBe(sent.sentAt);
      const deletion = await next(member);
      expect(Number(deletion.dataMessage.delete?.targetSentTimestamp)).toBe(reply.sentAt);
    }
    // Every member is recorded as sent.
    expect(
      client.groupSend.recipients(sent.id).sort((a, b) => a.serviceId.localeCompare(b.serviceId)),
    ).toEqual([alice.aci, bob.aci].sort().map((serviceId) => ({ serviceId, status: 'sent' })));
  });

  it('our sender key goes once to each member device, and a new one after a member was removed', async () => {
    const stats = client.groupSend.send.stats;
    const before = { ...stats };
    // (Joining announces our acceptance to the members: already a group send.)
    const { group, conversationId } = await joinedGroup('Choir', [bob]);
    await client.sendText(conversationId, 'one');
    await client.sendText(conversationId, 'two');
    expect(stats.distributions - before.distributions).toBe(2); // Alice and Bob, once
    expect(stats.multiRecipient - before.multiRecipient).toBeGreaterThanOrEqual(2);
    expect(stats.fallback).toBe(before.fallback);
    for (const member of [alice, bob]) {
      expect((await next(member)).body).toBe('one');
      expect((await next(member)).body).toBe('two');
    }
    const distribution = (): string =>
      (
        h.vault.db
          .prepare('SELECT distribution_id FROM group_send_state WHERE group_id = ?')
          .get(group.id) as { distribution_id: string }
      ).distribution_id;
    const first = distribution();

    // Alice removes Bob; our next message is under a new sender key, which only Alice gets.
    await removeFromGroup(h, alice, group, bob.aci);
    await client.groups.refresh(group.masterKey);
    const mid = { ...stats };
    await client.sendText(conversationId, 'three');
    expect(distribution()).not.toBe(first);
    expect(stats.distributions - mid.distributions).toBe(1);
    expect((await next(alice)).body).toBe('three');
    // Bob's next message is our 1:1 one: 'three' never reached him.
    await client.sendText(client.conversation(bob.aci).id, 'just for Bob');
    expect((await next(bob)).body).toBe('just for Bob');
  });

  it('409 and 410: a member adds a device, another reinstalls — sessions fixed, key again, one retry', async () => {
    const { conversationId } = await joinedGroup('Hikers', [bob]);
    await client.sendText(conversationId, 'before');
    for (const member of [alice, bob]) expect((await next(member)).body).toBe('before');
    const stats = client.groupSend.send.stats;

    // Alice links a second device: the server answers 409 (missing device 2).
    await h.network.server.createSecondaryDevice(alice.device);
    const before = { ...stats };
    expect((await client.sendText(conversationId, 'to all your devices')).status).toBe('sent');
    expect(client.stores.aci.sessions.deviceIds(alice.aci)).toEqual([1, 2]);
    expect(stats.multiRecipient - before.multiRecipient).toBe(1);
    expect(stats.fallback).toBe(before.fallback);
    for (const member of [alice, bob]) expect((await next(member)).body).toBe('to all your devices');

    // Bob reinstalls (a new registration id): the server answers 410 for his device.
    (bob.device.device as unknown as { registrationId: number }).registrationId = 4242;
    const mid = { ...stats };
    expect((await client.sendText(conversationId, 'welcome back')).status).toBe('sent');
    expect(stats.multiRecipient - mid.multiRecipient).toBe(1);
    expect(stats.distributions - mid.distributions).toBe(1); // Bob's new install gets the key again
    for (const member of [alice, bob]) expect((await next(member)).body).toBe('welcome back');
  });

  it('the demo server refuses a malformed or expired group send token; the fallback still delivers', async () => {
    const grpc = new GrpcClient({
      endpoint: h.network.config.chat,
      trustRootsPem: h.network.config.tlsTrustRootsPem,
      openSocket: directSocketOpener,
    });
    try {
      const refused = await sendMultiRecipientMessage(grpc, {
        payload: new Uint8Array(64),
        timestamp: Date.now(),
        online: false,
        urgent: true,
        groupSendToken: new Uint8Array([1, 2, 3]),
      }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(GrpcStatusError);
      expect((refused as GrpcStatusError).grpcStatus).toBe(3);
    } finally {
      grpc.close();
    }

    const { conversationId } = await joinedGroup('Readers', [bob]);
    await client.sendText(conversationId, 'token ok');
    for (const member of [alice, bob]) expect((await next(member)).body).toBe('token ok');
    const stats = client.groupSend.send.stats;
    const before = { ...stats };
    serverTime = 3 * 86_400_000; // the server's clock is three days ahead: our endorsements expired there
    try {
      const sent = await client.sendText(conversationId, 'still arrives');
      expect(sent.status).toBe('sent');
      expect(stats.multiRecipient).toBe(before.multiRecipient);
      expect(stats.fallback - before.fallback).toBe(2);
      for (const member of [alice, bob]) expect((await next(member)).body).toBe('still arrives');
      expect(client.groupSend.recipients(sent.id).map((r) => r.status)).toEqual(['sent', 'sent']);
    } finally {
      serverTime = 0;
    }
  });

  it('a token made for other recipients than the payload is refused (failedUnidentifiedAuthorization)', async () => {
    const { group } = await joinedGroup('Sailors', [bob]);
    const { config } = h.network;
    const server = new GroupServer(config, directSocketOpener);
    const grpc = new GrpcClient({
      endpoint: config.chat,
      trustRootsPem: config.tlsTrustRootsPem,
      openSocket: directSocketOpener,
    });
    try {
      const endorsements = new GroupEndorsements({
        state: new GroupSendState(h.vault.db),
        server,
        credentials: new GroupCredentials({
          request: client.accountRequest,
          serverPublicParams: config.serverPublicParams,
          aci: h.account.aci,
          pni: h.account.pni,
          profileKey: () => h.account.profileKey,
          clock: Date.now,
        }),
        serverPublicParams: config.serverPublicParams,
        aci: h.account.aci,
        clock: Date.now,
        exclusive: (write) => Promise.resolve(write()),
      });
      const secretParams = secretParamsOf(group.masterKey);
      const aliceOnly = await endorsements.token(group.id, secretParams, [alice.aci]);
      expect(aliceOnly).toBeDefined();
      // A real payload for Alice's and Bob's devices, under a sender key of ours.
      const answer = await client.accountRequest({ verb: 'GET', path: '/v1/certificate/delivery' });
      const { certificate } = JSON.parse(Buffer.from(answer.body!).toString('utf8')) as {
        certificate: string;
      };
      const local = ProtocolAddress.new(h.account.aci, 1);
      const distributionId = randomUUID();
      await senderKeyDistribution(local, distributionId, client.stores.senderKeys);
      const payload = await groupEncryptSealed(
        padContent(encodeContent({ dataMessage: { body: 'not for this token', timestamp: Date.now() } })),
        { local, distributionId },
        {
          certificate: SenderCertificate.deserialize(Buffer.from(certificate, 'base64')),
          contentHint: ContentHint.Default,
          groupId: Buffer.from(group.id, 'base64'),
        },
        [alice, bob].map((member) => ProtocolAddress.new(member.aci, 1)),
        { ...client.stores.aci, senderKeys: client.stores.senderKeys },
      );
      const result = await sendMultiRecipientMessage(grpc, {
        payload,
        timestamp: Date.now(),
        online: false,
        urgent: true,
        groupSendToken: aliceOnly!,
      });
      expect(result).toEqual({ kind: 'unauthorized' });
    } finally {
      grpc.close();
      server.close();
    }
  });

  it("per-member receipts: each member's state, the message as far as any member got", async () => {
    const { conversationId } = await joinedGroup('Cooks', [bob]);
    const sent = await client.sendText(conversationId, 'dinner at 8');
    for (const member of [alice, bob]) expect((await next(member)).body).toBe('dinner at 8');
    const us = await h.network.server.getDeviceByServiceId(h.account.aci as never);
    await alice.device.sendReceipt(us!, { type: ReceiptType.Delivery, messageTimestamps: [sent.sentAt] });
    await vi.waitFor(() => expect(client.store.getMessage(sent.id)?.status).toBe('delivered'), WAIT);
    await bob.device.sendReceipt(us!, { type: ReceiptType.Read, messageTimestamps: [sent.sentAt] });
    await vi.waitFor(() => expect(client.store.getMessage(sent.id)?.status).toBe('read'), WAIT);
    const states = Object.fromEntries(
      client.groupSend.recipients(sent.id).map((r) => [r.serviceId, r.status]),
    );
    expect(states).toEqual({ [alice.aci]: 'delivered', [bob.aci]: 'read' });
    // A late delivery receipt from Bob does not move him back.
    await bob.device.sendReceipt(us!, { type: ReceiptType.Delivery, messageTimestamps: [sent.sentAt] });
    await alice.device.sendReceipt(us!, { type: ReceiptType.Read, messageTimestamps: [sent.sentAt] });
    await vi.waitFor(
      () => expect(client.groupSend.recipients(sent.id).map((r) => r.status)).toEqual(['read', 'read']),
      WAIT,
    );
  });

  it('one member failing never fails the others: an unregistered member is marked failed', async () => {
    const { conversationId } = await joinedGroup('Runners', [bob, carol]);
    await client.sendText(conversationId, 'warm-up');
    for (const member of [alice, bob, carol]) expect((await next(member)).body).toBe('warm-up');
    h.network.server.unregister(carol.device);
    try {
      const sent = await client.sendText(conversationId, 'race day');
      expect(sent.status).toBe('sent');
      for (const member of [alice, bob]) expect((await next(member)).body).toBe('race day');
      const states = Object.fromEntries(
        client.groupSend.recipients(sent.id).map((r) => [r.serviceId, r.status]),
      );
      expect(states).toEqual({ [alice.aci]: 'sent', [bob.aci]: 'sent', [carol.aci]: 'failed' });
    } finally {
      h.network.server.register(carol.device);
    }
  });

  it('a message no member got is sent again to every member, under its first timestamp', async () => {
    const { group, conversationId } = await joinedGroup('Hikers', [bob]);
    await client.sendText(conversationId, 'hello hikers');
    for (const member of [alice, bob]) expect((await next(member)).body).toBe('hello hikers');
    for (const member of [alice, bob]) h.network.server.unregister(member.device);
    let failedId = '';
    try {
      const failure = await client
        .sendText(conversationId, 'summit at noon')
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Error);
      const failed = client.store.page(conversationId, { before: null, limit: 1 }).messages[0]!;
      expect(failed).toMatchObject({ body: 'summit at noon', status: 'failed' });
      failedId = failed.id;
    } finally {
      for (const member of [alice, bob]) h.network.server.register(member.device);
    }
    const resent = await client.resend(failedId);
    expect(resent.status).toBe('sent');
    for (const member of [alice, bob]) {
      const got = await next(member);
      expect(got.body).toBe('summit at noon');
      expect(Number(got.dataMessage.timestamp)).toBe(resent.sentAt);
      expect(Buffer.from(got.dataMessage.groupV2!.masterKey!)).toEqual(Buffer.from(group.masterKey));
    }
    const states = client.groupSend.recipients(failedId).map((r) => r.status);
    expect(states).toEqual(['sent', 'sent']);
  });

  it('removed from the group: sending is refused with a clear sentence and nothing is sent', async () => {
    const { group, conversationId } = await joinedGroup('Old club', [carol]);
    await removeFromGroup(h, alice, group, h.account.aci);
    await client.groups.refresh(group.masterKey);
    const stats = { ...client.groupSend.send.stats };
    const failure = await client.sendText(conversationId, 'hello?').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PreconditionError);
    expect((failure as Error).message).toBe('You are not a member of this group, so nothing was sent to it.');
    expect(client.groupSend.send.stats).toEqual(stats);
  });
});

/**
 * Integration: the messaging client against the REAL @signalapp/mock-server over TLS (src/demo),
 * with a real SQLCipher vault and real libsignal crypto on both sides.
 */
import { randomBytes } from 'node:crypto';
import { IdentityKeyPair } from '@signalapp/libsignal-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UntrustedIdentityError, VaultLockedError } from '../errors.js';
import { setLogSink } from '../log.js';
import { openChatConnection } from '../net/chat-connection.js';
import { directSocketOpener } from '../net/direct-opener.js';
import { decodeEnvelope, encodeEnvelope } from '../signal/proto/signal-service.js';
import { VerifiedStatus } from '../signal/stores/index.js';
import type { MessagingClient } from './client.js';
import { SignalAdapter, type PreKeyResponseJson } from './signal-adapter.js';
import type { Message } from './store.js';
import { createHarness, type Harness } from './test-support/harness.js';

function waitFor<T>(
  client: MessagingClient,
  predicate: () => T | undefined,
  what: string,
  ms = 20_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const value = predicate();
      if (value !== undefined && value !== false) {
        cleanup();
        resolve(value);
        return true;
      }
      return false;
    };
    const offs = [
      client.on('message.added', () => void check()),
      client.on('message.updated', () => void check()),
      client.on('conversation.updated', () => void check()),
    ];
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for ${what}`));
    }, ms);
    function cleanup(): void {
      clearTimeout(timer);
      for (const off of offs) off();
    }
    check();
  });
}

function incoming(client: MessagingClient, conversationId: string): Message[] {
  return client.store
    .page(conversationId, { limit: 500 })
    .messages.filter((m) => m.kind === 'message' && m.direction === 'in');
}

describe('MessagingClient against the mock server', () => {
  let h: Harness;
  let client: MessagingClient;

  beforeAll(async () => {
    h = await createHarness();
    client = await h.startClient();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('exchanges messages both ways with an echo contact; delivery and read receipts arrive', async () => {
    const echo = await h.contact('Echo', { echo: true });
    const conversation = client.conversation(echo.aci, { profileName: 'Echo' });
    const sent = await client.sendText(conversation.id, 'hello echo');
    expect(sent.status).toBe('sent');
    const reply = await waitFor(
      client,
      () => incoming(client, conversation.id).find((m) => m.body === 'Echo: hello echo'),
      'the echo',
    );
    expect(reply.sourceServiceId).toBe(echo.aci);
    // The echo contact sent a delivery and then a read receipt for our message before replying.
    await waitFor(client, () => client.store.getMessage(sent.id)?.status === 'read', 'read receipt');
  });

  it('receives a sealed-sender message first from a contact and sends a delivery receipt', async () => {
    const bob = await h.contact('Bob');
    const timestamp = Date.now();
    const { acked } = h.sendFromContact(bob, 'sealed hello', { sealed: true, timestamp });
    await acked; // the server got our 200, which we only send after the commit
    const conversation = client.store.findConversationByServiceId(bob.aci);
    expect(conversation).toBeDefined();
    const [message] = incoming(client, conversation!.id);
    expect(message?.body).toBe('sealed hello');
    expect(message?.sentAt).toBe(timestamp);
    const receipt = await bob.device.waitForReceipt();
    expect(receipt.receiptMessage.type).toBe(0); // DELIVERY
    expect(receipt.receiptMessage.timestamp?.map(Number)).toEqual([timestamp]);
    // And we can answer over the same session; Bob decrypts it.
    const sealedBefore = client.sender.stats.sealed;
    await client.sendText(conversation!.id, 'hi bob');
    const got = await bob.device.waitForMessage();
    expect(got.body).toBe('hi bob');
    // Bob shared his profile key, so we derived his access key: the reply went sealed over the
    // unauthenticated socket, where the server checks that key (a wrong one answers 401).
    expect(client.sender.stats.sealed).toBeGreaterThan(sealedBefore);
  });

  it('stores a re-delivered envelope once, and rejects garbage without crashing', async () => {
    const carol = await h.contact('Carol');
    await h.sendFromContact(carol, 'first').acked;
    const envelope = await carol.device.encryptText(h.device, 'only once', { timestamp: Date.now() });
    await h.network.server.send(h.device, envelope);
    await h.network.server.send(h.device, envelope); // the same bytes again
    const conversation = client.store.findConversationByServiceId(carol.aci)!;
    expect(incoming(client, conversation.id).filter((m) => m.body === 'only once')).toHaveLength(1);
    expect(client.receiver.stats.duplicate).toBeGreaterThanOrEqual(1);

    // Random bytes as an envelope, and a well-formed envelope from Carol with garbage ciphertext.
    await h.network.server.send(h.device, Buffer.from(randomBytes(64)));
    const parsed = decodeEnvelope(envelope);
    const garbage = new Uint8Array(randomBytes(parsed.content!.length));
    const forged = encodeEnvelope({ ...parsed, content: garbage, clientTimestamp: Date.now() });
    await h.network.server.send(h.device, Buffer.from(forged));
    const events = client.store
      .page(conversation.id)
      .messages.filter((m) => m.eventType === 'decryption-failed');
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(events[0]?.body).toBeNull();
    // Still alive and in sync with Carol.
    await h.sendFromContact(carol, 'after garbage').acked;
    expect(incoming(client, conversation.id).some((m) => m.body === 'after garbage')).toBe(true);
  });

  it('drops or holds messages from unknown senders as configured, without receipts', async () => {
    let policy: 'drop' | 'hold-as-request' = 'drop';
    await client.stop();
    client = await h.startClient({ blockUnknownSenders: () => policy });
    const stranger = await h.contact('Stranger');
    await h.sendFromContact(stranger, 'let me in').acked;
    expect(client.store.findConversationByServiceId(stranger.aci)).toBeUndefined();

    policy = 'hold-as-request';
    await h.sendFromContact(stranger, 'please').acked;
    const held = client.store.findConversationByServiceId(stranger.aci);
    expect(held?.isRequest).toBe(true);
    expect(incoming(client, held!.id).map((m) => m.body)).toEqual(['please']);
    // A known contact's message round-trips a receipt; the stranger still got none.
    const known = await h.contact('Known');
    client.conversation(known.aci);
    await h.sendFromContact(known, 'hi').acked;
    await known.device.waitForReceipt();
    expect(stranger.device.getReceiptQueueSize()).toBe(0);
  });

  it('restarts from the vault and continues the same sessions', async () => {
    const dave = await h.contact('Dave');
    await h.sendFromContact(dave, 'before restart').acked;
    const conversationId = client.store.findConversationByServiceId(dave.aci)!.id;
    await client.sendText(conversationId, 'to dave 1');
    expect((await dave.device.waitForMessage()).body).toBe('to dave 1');

    await client.stop();
    await h.reopenVault();
    client = await h.startClient();
    expect(client.store.getConversation(conversationId)).toBeDefined();
    await h.sendFromContact(dave, 'after restart').acked;
    expect(incoming(client, conversationId).map((m) => m.body)).toContain('after restart');
    await client.sendText(conversationId, 'to dave 2');
    expect((await dave.device.waitForMessage()).body).toBe('to dave 2');
  });

  it('detects an identity change, marks it, and refuses to send until confirmed', async () => {
    const eve = await h.contact('Eve');
    await h.sendFromContact(eve, 'hello').acked;
    const conversationId = client.store.findConversationByServiceId(eve.aci)!.id;
    // We had verified a different key for Eve (as if she re-installed since): her next message
    // carries her real identity key, which is a change of a verified identity.
    const identity = client.stores.aci.identity;
    const real = identity.getRemoteIdentity(eve.aci)!.publicKey;
    identity.saveRemoteIdentity(eve.aci, IdentityKeyPair.generate().publicKey);
    identity.consumeIdentityChanges(identity.pendingIdentityChanges().map((e) => e.id));
    expect(identity.setVerified(eve.aci, VerifiedStatus.Verified)).toBe(true);

    await h.sendFromContact(eve, 'new phone who dis').acked;
    const timeline = client.store.page(conversationId).messages;
    const event = timeline.find((m) => m.eventType === 'identity-changed');
    expect(event?.eventData).toEqual({ wasVerified: true });
    expect(client.store.getConversation(conversationId)?.safetyNumberChanged).toBe(true);
    expect(identity.getRemoteIdentity(eve.aci)?.publicKey.equals(real)).toBe(true);
    expect(identity.getRemoteIdentity(eve.aci)?.verified).toBe(VerifiedStatus.Unverified);

    await expect(client.sendText(conversationId, 'are you really eve?')).rejects.toBeInstanceOf(
      UntrustedIdentityError,
    );
    await client.confirmIdentity(conversationId);
    expect(client.store.getConversation(conversationId)?.safetyNumberChanged).toBe(false);
    await client.sendText(conversationId, 'ok, confirmed');
    expect((await eve.device.waitForMessage()).body).toBe('ok, confirmed');
  });

  it('sends read receipts on markRead and starts disappearing timers', async () => {
    const fay = await h.contact('Fay');
    const timestamp = Date.now();
    await h.sendFromContact(fay, 'read me', { timestamp }).acked;
    const conversationId = client.store.findConversationByServiceId(fay.aci)!.id;
    await fay.device.waitForReceipt(); // delivery
    await client.setExpireTimer(conversationId, 60);
    const read = await client.markRead(conversationId);
    expect(read.map((m) => m.body)).toEqual(['read me']);
    const receipt = await fay.device.waitForReceipt();
    expect(receipt.receiptMessage.type).toBe(1); // READ
    expect(receipt.receiptMessage.timestamp?.map(Number)).toEqual([timestamp]);
    const timerUpdate = await fay.device.waitForMessage();
    expect(timerUpdate.dataMessage.expireTimer).toBe(60);
    await client.sendTyping(conversationId, true);
  });

  it('emits typing indicators (ephemeral, nothing stored) and never logs bodies or numbers', async () => {
    const lines: string[] = [];
    setLogSink((level, event, fields) => lines.push(JSON.stringify({ level, event, ...fields })), 'debug');
    try {
      const gus = await h.contact('Gus');
      await h.sendFromContact(gus, 'SECRET-BODY-a1b2').acked;
      const conversationId = client.store.findConversationByServiceId(gus.aci)!.id;
      const before = client.store.page(conversationId).messages.length;
      const typing = new Promise<{ started: boolean }>((resolve) => {
        const off = client.on('typing', (event) => {
          off();
          resolve(event);
        });
      });
      await gus.device.sendRaw(h.device, {
        content: { typingMessage: { timestamp: BigInt(Date.now()), action: 0, groupId: null } },
      } as never);
      expect((await typing).started).toBe(true);
      expect(client.store.page(conversationId).messages.length).toBe(before);
      await client.sendText(conversationId, 'SECRET-REPLY-c3d4');
      expect((await gus.device.waitForMessage()).body).toBe('SECRET-REPLY-c3d4');
    } finally {
      setLogSink(undefined, 'warn');
    }
    const all = lines.join('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(all).not.toContain('SECRET-');
    expect(all).not.toContain(h.account.password);
  });

  it('recovers from 409 (extra device) and 410 (stale registration id) by fixing sessions and retrying', async () => {
    const hal = await h.contact('Hal');
    const conversation = client.conversation(hal.aci);
    const adapter = new SignalAdapter(
      client.stores,
      h.account,
      h.network.config.unidentifiedDeliveryTrustRoots,
    );
    const fetchKeys = async (): Promise<PreKeyResponseJson> => {
      const connection = await openChatConnection({
        endpoint: h.network.config.chat,
        trustRootsPem: h.network.config.tlsTrustRootsPem,
        openSocket: directSocketOpener,
        keepaliveIntervalMs: 0,
      });
      try {
        return (await connection.requestJson({
          verb: 'GET',
          path: `/v2/keys/${hal.aci}/1`,
        })) as PreKeyResponseJson;
      } finally {
        await connection.close();
      }
    };
    // 410: a session whose registration id is not the device's current one.
    const keys = await fetchKeys();
    const device = keys.devices[0]!;
    await adapter.processPreKeys(hal.aci, {
      ...keys,
      devices: [{ ...device, registrationId: (device.registrationId % 16000) + 1 }],
    });
    // 409: a session with a device the account does not have.
    await adapter.processPreKeys(hal.aci, { ...keys, devices: [{ ...device, deviceId: 2 }] });
    expect(adapter.deviceIds(hal.aci).sort()).toEqual([1, 2]);

    const sent = await client.sendText(conversation.id, 'despite stale sessions');
    expect(sent.status).toBe('sent');
    expect((await hal.device.waitForMessage()).body).toBe('despite stale sessions');
    expect(adapter.deviceIds(hal.aci)).toEqual([1]);
  });

  it('handles out-of-order delivery: later messages first, each stored once', async () => {
    const ivy = await h.contact('Ivy');
    await h.sendFromContact(ivy, 'hello ivy').acked;
    const base = Date.now();
    const envelopes: Buffer<ArrayBuffer>[] = [];
    for (let i = 0; i < 4; i += 1) {
      envelopes.push(await ivy.device.encryptText(h.device, `ooo ${i}`, { timestamp: base + i }));
    }
    for (const index of [3, 1, 0, 2, 3]) await h.network.server.send(h.device, envelopes[index]!);
    const conversationId = client.store.findConversationByServiceId(ivy.aci)!.id;
    const bodies = incoming(client, conversationId).map((m) => m.body);
    expect(bodies.filter((b) => b?.startsWith('ooo ')).sort()).toEqual(['ooo 0', 'ooo 1', 'ooo 2', 'ooo 3']);
  });

  it('deletes a disappearing message when its timer runs out', async () => {
    const jay = await h.contact('Jay');
    const conversation = client.conversation(jay.aci);
    await client.setExpireTimer(conversation.id, 1);
    const removed = new Promise<string>((resolve) => {
      const off = client.on('message.removed', (event) => {
        off();
        resolve(event.id);
      });
    });
    const sent = await client.sendText(conversation.id, 'gone in a second');
    expect(sent.expiresAt).toBe(sent.sentAt + 1000);
    expect(await removed).toBe(sent.id);
    expect(client.store.getMessage(sent.id)).toBeUndefined();
    expect((await jay.device.waitForMessage()).dataMessage.expireTimer).toBe(1); // the timer update
  });

  it('reconnects after the server drops the socket, and keeps receiving', async () => {
    const states: boolean[] = [];
    const off = client.on('connection.state', ({ connected }) => states.push(connected));
    const reconnected = new Promise<void>((resolve) => {
      const offAgain = client.on('connection.state', ({ connected }) => {
        if (connected) {
          offAgain();
          resolve();
        }
      });
    });
    // A second socket for the same device makes the server close ours (4409, "replaced").
    const intruder = await openChatConnection({
      endpoint: h.network.config.chat,
      trustRootsPem: h.network.config.tlsTrustRootsPem,
      openSocket: directSocketOpener,
      auth: { username: `${h.account.aci}.1`, password: h.account.password },
      keepaliveIntervalMs: 0,
      onRequest: () => Promise.resolve(500),
    });
    await reconnected; // our client came back (and in turn replaced the intruder)
    off();
    await intruder.close();
    expect(states[0]).toBe(false);
    expect(client.connected).toBe(true);
    const kim = await h.contact('Kim');
    await h.sendFromContact(kim, 'after reconnect').acked;
    const conversationId = client.store.findConversationByServiceId(kim.aci)!.id;
    expect(incoming(client, conversationId).map((m) => m.body)).toEqual(['after reconnect']);
  });

  it('stops cleanly when the vault locks; data calls then fail with VaultLockedError', async () => {
    const locked = await h.reopenVault();
    await client.stop();
    client = await h.startClient();
    const conversationId = client.listConversations()[0]!.id;
    locked.lock('user');
    expect(client.connected).toBe(false);
    expect(() => client.page(conversationId)).toThrow(VaultLockedError);
    await expect(client.sendText(conversationId, 'nope')).rejects.toBeInstanceOf(VaultLockedError);
  });
});

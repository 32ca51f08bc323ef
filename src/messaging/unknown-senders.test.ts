/**
 * Block unknown senders (Molly), observed where it matters: at the unknown sender's own device (the
 * mock server's simulated phone). A dropped or held sender learns nothing from us — no delivery
 * receipt, no read receipt, no typing, no message and so no profile key. Accepting the request sends
 * nothing retroactively; only what the user then reads or writes reaches them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockUnknownSenders } from '../settings/schema.js';
import type { MessagingClient } from './client.js';
import { createHarness, type Harness } from './test-support/harness.js';

describe('unknown senders at the simulated device (demo network)', () => {
  let h: Harness;
  let client: MessagingClient;
  let policy: BlockUnknownSenders = 'drop';

  beforeAll(async () => {
    h = await createHarness();
    client = await h.startClient({
      blockUnknownSenders: () => policy,
      ownProfileKey: () => h.account.profileKey,
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('drop: nothing stored, and the sender’s device receives nothing at all', async () => {
    policy = 'drop';
    const spam = await h.contact('Spam');
    await h.sendFromContact(spam, 'buy now').acked;
    expect(client.store.findConversationByServiceId(spam.aci)).toBeUndefined();
    // A known contact's message afterwards is a barrier: its receipt is sent by the same batching
    // that would have carried one for the stranger.
    const friend = await h.contact('Friend');
    client.conversation(friend.aci);
    await h.sendFromContact(friend, 'hi').acked;
    await friend.device.waitForReceipt();
    expect(spam.device.getReceiptQueueSize()).toBe(0);
    expect(spam.device.getMessageQueueSize()).toBe(0);
  });

  it('hold: no receipts, typing or profile key while held; accepting sends nothing retroactively; reading and replying do', async () => {
    policy = 'hold-as-request';
    const stranger = await h.contact('Stranger');
    const t1 = Date.now() - 10;
    await h.sendFromContact(stranger, 'held one', { timestamp: t1 }).acked;
    const held = client.store.findConversationByServiceId(stranger.aci)!;
    expect(held.isRequest).toBe(true);

    // While held: typing in it sends nothing, and no delivery receipt went out.
    await client.sendTyping(held.id, true);
    const friend = await h.contact('Friend2');
    client.conversation(friend.aci);
    await h.sendFromContact(friend, 'barrier').acked;
    await friend.device.waitForReceipt();
    expect(stranger.device.getReceiptQueueSize()).toBe(0);
    expect(stranger.device.getMessageQueueSize()).toBe(0);

    // Accept: nothing goes out for the old message. The next message gets a delivery receipt for
    // itself only.
    await client.acceptRequest(held.id);
    const t2 = Date.now();
    await h.sendFromContact(stranger, 'after accept', { timestamp: t2 }).acked;
    const delivery = await stranger.device.waitForReceipt();
    expect(delivery.receiptMessage.type).toBe(0); // DELIVERY
    expect(delivery.receiptMessage.timestamp?.map(Number)).toEqual([t2]);
    expect(stranger.device.getReceiptQueueSize()).toBe(0);

    // The user reads: read receipts for what they read (both messages).
    await client.markRead(held.id);
    const read = await stranger.device.waitForReceipt();
    expect(read.receiptMessage.type).toBe(1); // READ
    expect(read.receiptMessage.timestamp?.map(Number).sort()).toEqual([t1, t2]);

    // The user writes: only now does our profile key reach them (with the message).
    expect(stranger.device.getMessageQueueSize()).toBe(0);
    await client.sendText(held.id, 'hello there');
    const reply = await stranger.device.waitForMessage();
    expect(reply.body).toBe('hello there');
    expect(Buffer.from(reply.dataMessage.profileKey!).equals(Buffer.from(h.account.profileKey))).toBe(true);
  });
});

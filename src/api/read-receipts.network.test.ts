/**
 * Issue 14.6, the "Read receipts" setting through the API on the REAL demo network (the contact encrypts
 * and decodes with the mock server's own code). Off: opening a chat sends no READ receipt (the contact
 * sees delivery only), and — Signal's reciprocity rule — the contact's read receipts for our messages are
 * not shown either. On (the default): both again.
 */
import { EMPTY_DATA_MESSAGE } from '@signalapp/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoContact, type DemoNetwork } from '../demo/network.js';
import { createTestProfile, TEST_KDF, type TestProfile } from '../test-support/vault.js';
import type { Message } from './contract.js';
import { createCoreService, type CoreService } from './service.js';
import { registerThroughService } from './test-support/core.js';
import { nextEvent, value } from './test-support/events.js';

const PASS = 'read receipts passphrase 14';
const NUMBER = '+15550001406';
const DELIVERY = 0;
const READ = 1;

describe('the read receipts setting (demo network)', () => {
  let network: DemoNetwork;
  let profile: TestProfile;
  let service: CoreService;
  let lea: DemoContact;
  let conversationId = '';
  let ourAci = '';

  async function leaSendsContent(content: Parameters<DemoContact['device']['sendRaw']>[1]['content']) {
    const target = await lea.ensureSession(ourAci);
    await lea.device.sendRaw(target, {
      content,
      pniSignatureMessage: null,
      senderKeyDistributionMessage: null,
    });
  }

  /** Lea sends a text; resolves with our copy once it was stored. */
  async function leaSends(body: string): Promise<Message> {
    const timestamp = Date.now();
    const added = nextEvent(service, 'message.added', (p) => p.message.sentAt === timestamp);
    await leaSendsContent({ dataMessage: { ...EMPTY_DATA_MESSAGE, timestamp: BigInt(timestamp), body } });
    return (await added).message;
  }

  /** Lea's receipts (type and timestamps) until `done` holds for them; each is read once. */
  async function leaReceiptsUntil(
    done: (receipts: ReadonlyArray<{ type: number; timestamps: number[] }>) => boolean,
  ): Promise<Array<{ type: number; timestamps: number[] }>> {
    const receipts: Array<{ type: number; timestamps: number[] }> = [];
    while (!done(receipts)) {
      const { receiptMessage } = await lea.device.waitForReceipt();
      receipts.push({
        type: Number(receiptMessage.type),
        timestamps: (receiptMessage.timestamp ?? []).map(Number),
      });
    }
    return receipts;
  }

  const covers = (
    receipts: ReadonlyArray<{ type: number; timestamps: number[] }>,
    type: number,
    ts: number,
  ) => receipts.some((r) => r.type === type && r.timestamps.includes(ts));

  /** Lea reports our message read; her next text is the barrier (envelopes are handled in order). */
  async function leaReads(message: Message): Promise<Message | undefined> {
    await leaSendsContent({ receiptMessage: { type: READ, timestamp: [BigInt(message.sentAt)] } });
    await leaSends('barrier');
    const page = await value(service.call('messages.page', { conversationId }));
    return page.messages.find((m) => m.id === message.id);
  }

  beforeAll(async () => {
    network = await startDemoNetwork();
    profile = createTestProfile();
    service = createCoreService({
      profileDir: profile.dir,
      networkConfig: network.config,
      vault: { kdf: TEST_KDF },
    });
    await value(service.call('vault.create', { passphrase: PASS }));
    ourAci = (await registerThroughService(service, NUMBER)).aci!;
    lea = await network.createContact('Lea');
    conversationId = (await value(service.call('conversations.start', { serviceId: lea.aci, name: 'Lea' })))
      .id;
  });

  afterAll(async () => {
    await service?.close();
    await network?.close();
    profile?.dispose();
  });

  it('is on by default', async () => {
    expect((await value(service.call('settings.get', {}))).readReceipts).toBe(true);
  });

  it('off: opening a chat sends delivery receipts only, and the contact’s read receipts are not shown', async () => {
    await value(service.call('settings.update', { patch: { readReceipts: false } }));
    const first = await leaSends('unread one');
    const second = await leaSends('unread two');
    await leaReceiptsUntil((r) => covers(r, DELIVERY, first.sentAt) && covers(r, DELIVERY, second.sentAt));

    await value(service.call('messages.setVisible', { conversationId })); // opening the chat reads them
    const seen = await leaSends('while the chat is open');
    const list = await value(service.call('conversations.list', {}));
    expect(list.find((c) => c.id === conversationId)?.unreadCount).toBe(0);
    const after = await leaReceiptsUntil((r) => covers(r, DELIVERY, seen.sentAt));
    await new Promise((resolve) => setTimeout(resolve, 500)); // a read receipt would have followed at once
    expect(after.filter((r) => r.type !== DELIVERY)).toEqual([]);
    expect(lea.device.getReceiptQueueSize()).toBe(0);
    await value(service.call('messages.setVisible', { conversationId: null }));

    const ours = await value(service.call('messages.send', { conversationId, body: 'did you read this?' }));
    await lea.device.waitForMessage();
    await leaSendsContent({ receiptMessage: { type: DELIVERY, timestamp: [BigInt(ours.sentAt)] } });
    expect((await leaReads(ours))?.status).toBe('delivered');
  });

  it('on again: opening a chat sends a read receipt, and the contact’s read receipts show', async () => {
    await value(service.call('settings.update', { patch: { readReceipts: true } }));
    const unread = await leaSends('read me');
    await leaReceiptsUntil((r) => covers(r, DELIVERY, unread.sentAt));
    await value(service.call('messages.setVisible', { conversationId }));
    await leaReceiptsUntil((r) => covers(r, READ, unread.sentAt));
    await value(service.call('messages.setVisible', { conversationId: null }));

    const ours = await value(service.call('messages.send', { conversationId, body: 'and this one?' }));
    await lea.device.waitForMessage();
    expect((await leaReads(ours))?.status).toBe('read');
  });
});

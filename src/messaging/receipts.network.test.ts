/**
 * Issue 13.7: delivery receipts queued when the vault locks are not lost (and the send that the lock cut
 * off does not fail with a TypeError on the closed database): they are saved while the vault is still
 * open and sent after the next unlock. A receipt that fails because the chat socket is gone is sent again
 * after the reconnect.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setLogSink, type LogFields } from '../log.js';
import type { MessagingClient } from './client.js';
import { createHarness, type Harness } from './test-support/harness.js';

describe('receipts survive a lock and a lost socket (demo network)', () => {
  let h: Harness;
  let client: MessagingClient | undefined;
  const warnings: Array<{ event: string; fields: LogFields }> = [];

  beforeAll(async () => {
    setLogSink((level, event, fields) => {
      if (level === 'warn' || level === 'error') warnings.push({ event, fields });
    }, 'warn');
    h = await createHarness();
  });

  afterEach(async () => {
    await client?.stop();
    client = undefined;
  });

  afterAll(async () => {
    await h?.close();
    setLogSink(undefined, 'warn');
  });

  it('sends the delivery receipts that were queued when the vault locked, after the unlock', async () => {
    client = await h.startClient();
    const dora = await h.contact('Dora');
    await h.sendFromContact(dora, 'hello').acked; // a session, and its receipt, before the test proper
    await dora.device.waitForReceipt();

    // Lock in the next macrotask after the commit: the receipt is queued (or in flight), not yet sent.
    const timestamp = Date.now() + 1000;
    const committed = new Promise<void>((resolve) => {
      const off = client!.on('message.added', (message) => {
        if (message.sentAt !== timestamp) return;
        off();
        setImmediate(() => {
          h.vault.lock('user');
          resolve();
        });
      });
    });
    const envelope = await dora.device.encryptText(h.device, 'just before the lock', { timestamp });
    void h.network.server.send(h.device, envelope).catch(() => undefined);
    await committed;
    client = undefined; // the lock stopped it
    expect(dora.device.getReceiptQueueSize()).toBe(0);

    await h.reopenVault();
    client = await h.startClient();
    const receipt = await dora.device.waitForReceipt();
    expect(receipt.receiptMessage.type).toBe(0); // DELIVERY
    expect(receipt.receiptMessage.timestamp?.map(Number)).toContain(timestamp);
    expect(warnings.filter((w) => w.event.startsWith('messaging.receipt'))).toEqual([]);
    expect(warnings.filter((w) => w.fields.errorName === 'TypeError')).toEqual([]);
  });
});

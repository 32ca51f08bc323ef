/**
 * Issue 13.7: delivery receipts queued when the vault locks are not lost (and the send that the lock cut
 * off does not fail with a TypeError on the closed database): they are saved while the vault is still
 * open and sent after the next unlock. A receipt that fails because the chat socket is gone is sent again
 * after the reconnect.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setLogSink, type LogFields } from '../log.js';
import { openerForRoute } from '../net/route.js';
import { startMicrosocks } from '../net/test-support/socks.js';
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

  it('sends a receipt whose send failed while the socket was down, after the reconnect', async () => {
    const proxy = await startMicrosocks();
    try {
      const route = { mode: 'socks5', host: proxy.host, port: proxy.port } as const;
      client = await h.startClient({ openSocket: openerForRoute(route) });
      const erin = await h.contact('Erin');
      await h.sendFromContact(erin, 'hello').acked;
      await erin.device.waitForReceipt();

      // The socket goes down right after the commit; the batched receipt is sent (and fails) meanwhile.
      const timestamp = Date.now() + 2000;
      const committed = new Promise<void>((resolve) => {
        const off = client!.on('message.added', (message) => {
          if (message.sentAt !== timestamp) return;
          off();
          setImmediate(() => void proxy.stop().then(resolve));
        });
      });
      const envelope = await erin.device.encryptText(h.device, 'as the socket drops', { timestamp });
      void h.network.server.send(h.device, envelope).catch(() => undefined);
      await committed;
      await new Promise((resolve) => setTimeout(resolve, 1000)); // the batch (250 ms) fails offline
      expect(erin.device.getReceiptQueueSize()).toBe(0);

      const back = await startMicrosocks({ port: proxy.port });
      try {
        const receipt = await erin.device.waitForReceipt();
        expect(receipt.receiptMessage.timestamp?.map(Number)).toContain(timestamp);
      } finally {
        await client.stop();
        client = undefined;
        await back.stop();
      }
    } finally {
      await proxy.stop();
    }
  });
});

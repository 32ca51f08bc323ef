/**
 * Batched receive (./receive-window.ts) on the demo network with a pipelined delivery window, as the
 * real server delivers: real mock-server over TLS, real SQLCipher vault, real libsignal. A backlog is
 * decrypted and committed in batches — each message stored once and in order, every envelope acked —
 * and an undecryptable envelope inside a batch costs only itself. Counts and order, never timing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoContact } from '../demo/network.js';
import { decodeEnvelope, encodeEnvelope } from '../signal/proto/signal-service.js';
import type { MessagingClient } from './client.js';
import { createHarness, type Harness } from './test-support/harness.js';

const WINDOW = 16;

describe('batched receive with a delivery window', () => {
  let h: Harness;
  let contact: DemoContact;

  beforeAll(async () => {
    h = await createHarness({ deliveryWindow: WINDOW });
    contact = await h.contact('Batch');
  });
  afterAll(async () => {
    await h?.close();
  });

  function bodies(client: MessagingClient): Array<string | null> {
    const conversation = client.store.findConversationByServiceId(contact.aci);
    if (!conversation) return [];
    return client.store
      .page(conversation.id, { limit: 500 })
      .messages.filter((m) => m.kind === 'message')
      .sort((a, b) => a.seq - b.seq)
      .map((m) => m.body);
  }

  async function drained(client: MessagingClient): Promise<void> {
    await new Promise<void>((resolve) => {
      const off = client.on('queue.empty', () => {
        off();
        resolve();
      });
    });
  }

  it('a backlog is committed in batches: each message once, in order, all acked', async () => {
    const base = Date.now() - 60_000;
    // Sealed, like a real backlog; the first is a prekey message (it starts the session).
    await contact.device.addSingleUseKey(h.device, await h.device.popSingleUseKey());
    const acks = [];
    for (let i = 0; i < 100; i += 1) {
      const envelope = await contact.device.encryptText(h.device, `backlog ${i}`, {
        sealed: true,
        timestamp: base + i,
      });
      acks.push(h.network.server.send(h.device, envelope));
    }
    const client = await h.startClient();
    await Promise.all(acks);
    await drained(client);
    expect(bodies(client)).toEqual(Array.from({ length: 100 }, (_, i) => `backlog ${i}`));
    expect(h.network.server.pendingCount(h.device)).toBe(0);
    expect(client.receiver.stats.stored).toBe(100);
    // Batched: fewer transactions than messages (how many depends on timing, so only the bound).
    expect(client.receiver.stats.batches).toBeGreaterThan(0);
    expect(client.receiver.stats.batches).toBeLessThan(100);
    // Envelopes that waited behind a batch had their sealed layer opened ahead, on the unseal worker.
    expect(client.receiver.stats.openedAhead).toBeGreaterThan(0);
    await client.stop();
  });

  it('an undecryptable envelope inside a batch is acked as failed; the others of its batch are stored', async () => {
    const base = Date.now() - 30_000;
    const acks = [];
    for (let i = 0; i < 40; i += 1) {
      const bytes = await contact.device.encryptText(h.device, `window ${i}`, {
        sealed: true,
        timestamp: base + i,
      });
      let envelope = bytes;
      if (i === 20) {
        const decoded = decodeEnvelope(bytes);
        const content = Buffer.from(decoded.content ?? []);
        content[content.length - 5] = (content[content.length - 5] ?? 0) ^ 0xff;
        envelope = Buffer.from(encodeEnvelope({ ...decoded, content }));
      }
      acks.push(h.network.server.send(h.device, envelope));
    }
    const client = await h.startClient();
    await Promise.all(acks);
    await drained(client);
    const expected = Array.from({ length: 40 }, (_, i) => `window ${i}`).filter((b) => b !== 'window 20');
    expect(bodies(client).slice(100)).toEqual(expected);
    expect(client.receiver.stats.failed).toBe(1);
    expect(client.receiver.stats.stored).toBe(39);
    expect(h.network.server.pendingCount(h.device)).toBe(0);
    await client.stop();
  });
});

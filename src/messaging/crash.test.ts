/**
 * Crash test: a child process receiving a backlog from the real mock server is SIGKILLed at random
 * points 20 times; a last run drains the rest. Afterwards every message is in the vault exactly once
 * and the server holds nothing unacknowledged: ack-after-commit loses nothing and duplicates nothing.
 * Run with one envelope in flight and with a delivery window of 4 (the Receiver then commits batches
 * and the kills land inside batches too; each kill then lets a batch or two through, hence the longer
 * backlog).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { MessageStore } from './store.js';
import { receiveWithKills } from './test-support/crash-runs.js';
import { createHarness, type Harness } from './test-support/harness.js';

const KILLS = 20;

describe.each([
  { deliveryWindow: 1, BACKLOG: 150 },
  { deliveryWindow: 4, BACKLOG: 240 },
])('crash safety of the receive pipeline, delivery window $deliveryWindow', ({ deliveryWindow, BACKLOG }) => {
  let h: Harness | undefined;
  afterAll(async () => {
    await h?.close();
  });

  it(`SIGKILL at ${KILLS} random points while receiving a ${BACKLOG}-message backlog: each message stored once`, async () => {
    h = await createHarness({ deliveryWindow });
    const contact = await h.contact('Backlog');
    const base = Date.now() - 60_000;
    const acks: Promise<void>[] = [];
    for (let i = 0; i < BACKLOG; i += 1) {
      // Sealed sender, like a real backlog; unique timestamps per sender device, as real clients do.
      acks.push(h.sendFromContact(contact, `backlog ${i}`, { sealed: true, timestamp: base + i }).acked);
    }
    const server = h.network.server;
    while (server.pendingCount(h.device) < BACKLOG) await new Promise((r) => setTimeout(r, 20));
    const killedAtPending = await receiveWithKills(h, KILLS, Promise.all(acks));
    // The kills interrupted a backlog in progress: killed runs made progress, and the last kill still
    // left work for the final run (so no kill landed only after the end).
    process.stdout.write(`crash test: pending after each kill ${killedAtPending.join(',')}\n`);
    expect(Math.min(...killedAtPending)).toBeLessThan(BACKLOG);
    expect(killedAtPending[KILLS - 1]).toBeGreaterThan(0);
    expect(server.pendingCount(h.device)).toBe(0); // every message acknowledged to the server

    const vault = await h.reopenVault();
    const store = new MessageStore(vault.db);
    const conversation = store.findConversationByServiceId(contact.aci);
    expect(conversation).toBeDefined();
    const bodies = store
      .page(conversation!.id, { limit: 500 })
      .messages.filter((m) => m.kind === 'message')
      .map((m) => m.body);
    expect(bodies).toHaveLength(BACKLOG);
    expect(new Set(bodies).size).toBe(BACKLOG);
    for (let i = 0; i < BACKLOG; i += 1) expect(bodies).toContain(`backlog ${i}`);
    expect(store.page(conversation!.id).messages.some((m) => m.eventType === 'decryption-failed')).toBe(
      false,
    );
  }, 300_000);
});

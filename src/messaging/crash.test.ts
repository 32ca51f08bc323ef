/**
 * Crash test: a child process receiving a backlog from the real mock server is SIGKILLed at random
 * points 20 times; a last run drains the rest. Afterwards every message is in the vault exactly once
 * and the server holds nothing unacknowledged: ack-after-commit loses nothing and duplicates nothing.
 * Run with one envelope in flight and with a delivery window of 4 (the Receiver then commits batches
 * and the kills land inside batches too; each kill then lets a batch or two through, hence the longer
 * backlog).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MessageStore } from './store.js';
import { createHarness, type Harness } from './test-support/harness.js';

const KILLS = 20;
const CHILD = fileURLToPath(new URL('./test-support/crash-child.ts', import.meta.url));

function startChild(jobPath: string): {
  child: ChildProcess;
  connected: Promise<void>;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, jobPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CARAPACE_LOG_LEVEL: 'error' },
  });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-2000);
  });
  const connected = new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('connected')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before connecting: ${errors}`)));
  });
  connected.catch(() => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, connected, exited };
}

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
    h.vault.lock('shutdown'); // the children own the vault now

    const jobPath = join(h.profileDir, 'crash-job.json');
    writeFileSync(
      jobPath,
      JSON.stringify({ profileDir: h.profileDir, config: h.network.config, credentials: h.account }),
      { mode: 0o600 },
    );

    const killedAtPending: number[] = [];
    for (let run = 0; run < KILLS; run += 1) {
      const { child, connected, exited } = startChild(jobPath);
      await connected;
      // Kill points are random but tied to progress, not wall time: let 0–5 messages through, then kill
      // a few milliseconds later — anywhere in decrypt, commit or ack of the next one. A time-only delay
      // drained the whole backlog before the last kill on a fast, idle machine.
      const before = server.pendingCount(h.device);
      const letThrough = randomInt(0, 6);
      const giveUpAt = Date.now() + 10_000;
      while (server.pendingCount(h.device) > before - letThrough && Date.now() < giveUpAt) {
        await new Promise((r) => setImmediate(r));
      }
      await new Promise((r) => setTimeout(r, randomInt(0, 4)));
      child.kill('SIGKILL');
      await exited;
      killedAtPending.push(server.pendingCount(h.device));
    }
    // The kills interrupted a backlog in progress: killed runs made progress, and the last kill still
    // left work for the final run (so no kill landed only after the end).
    process.stdout.write(`crash test: pending after each kill ${killedAtPending.join(',')}\n`);
    expect(Math.min(...killedAtPending)).toBeLessThan(BACKLOG);
    expect(killedAtPending[KILLS - 1]).toBeGreaterThan(0);

    const last = startChild(jobPath);
    await last.connected;
    await Promise.all(acks); // every message acknowledged to the server
    expect(server.pendingCount(h.device)).toBe(0);
    last.child.kill('SIGTERM');
    await last.exited;

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

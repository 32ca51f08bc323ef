/**
 * The crash tests' runs (crash.test.ts, crash-group.test.ts): child processes (./crash-child.ts) that unlock
 * the profile's vault and receive what the real mock server holds for our device, SIGKILLed at random points
 * tied to progress, then one last run that drains the rest. The parent has locked the vault: the children
 * own it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Harness } from './harness.js';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

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

/**
 * Locks the harness's vault, then runs `kills` children over the queued backlog, each SIGKILLed after it let
 * 0–5 messages through plus a few milliseconds (anywhere in decrypt, commit or ack of the next one), then a
 * last child until `acked` resolves (every message acknowledged to the server). Returns how many messages
 * the server still held after each kill.
 */
export async function receiveWithKills(
  h: Harness,
  kills: number,
  acked: Promise<unknown>,
): Promise<number[]> {
  const server = h.network.server;
  h.vault.lock('shutdown'); // the children own the vault now
  const jobPath = join(h.profileDir, 'crash-job.json');
  writeFileSync(
    jobPath,
    JSON.stringify({ profileDir: h.profileDir, config: h.network.config, credentials: h.account }),
    { mode: 0o600 },
  );
  const killedAtPending: number[] = [];
  for (let run = 0; run < kills; run += 1) {
    const { child, connected, exited } = startChild(jobPath);
    await connected;
    // Kill points are random but tied to progress, not wall time: a time-only delay drained the whole
    // backlog before the last kill on a fast, idle machine.
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
  const last = startChild(jobPath);
  await last.connected;
  await acked;
  last.child.kill('SIGTERM');
  await last.exited;
  return killedAtPending;
}

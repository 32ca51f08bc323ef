/**
 * Backlog benchmark (like Signal-Desktop's startup benchmark): a simulated contact on the local mock
 * server queues N sealed-sender messages while we are offline; then the messaging client connects and
 * drains them — decrypt + vault commit + ack, one envelope at a time, as the server delivers them.
 * Swept over N (default 1,000 / 5,000 / 10,000; override with CARAPACE_BENCH_BACKLOG="1000,5000").
 *
 * Beside it, in the same run, the in-process limit: the very same envelopes (captured as they arrived)
 * handed to the app's own Receiver on a copy of the vault taken before the drain — staged libsignal
 * decrypt + one synchronous commit per message (the durability the pipeline needs before each ack) —
 * with no network; best of two passes. The ratio is thus what the socket, framing and ack cost.
 * ratio = pipeline msgs/s ÷ limit msgs/s at the largest N (target ≥ 0.5).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { SerialQueue } from '../src/async/serial-queue.js';
import { Receiver } from '../src/messaging/receiver.js';
import { SignalAdapter } from '../src/messaging/signal-adapter.js';
import { MessageStore } from '../src/messaging/store.js';
import { MessagingClient } from '../src/messaging/client.js';
import { registerTestAccount, type TestAccount } from '../src/messaging/test-support/account.js';
import { parseClientConfig, type ClientConfig } from '../src/net/config.js';
import { TEST_KDF, TEST_PASSPHRASE } from '../src/test-support/vault.js';
import { SignalProtocolStores } from '../src/signal/stores/index.js';
import { Vault } from '../src/vault/index.js';
import type { BenchModule } from './types.js';

interface Point {
  readonly messages: number;
  readonly pipelineMs: number;
  readonly pipelinePerSecond: number;
  readonly limitMs: number;
  readonly limitCpuMs: number;
  readonly limitPassesMs: readonly number[];
  readonly pipelineCpuMs: number;
  readonly limitPerSecond: number;
  readonly ratio: number;
  readonly queueMs: number;
}

const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

function sizes(): number[] {
  const raw = process.env.CARAPACE_BENCH_BACKLOG;
  if (!raw) return [1_000, 5_000, 10_000];
  const parsed = raw.split(',').map((s) => Number(s.trim()));
  if (parsed.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error('CARAPACE_BENCH_BACKLOG: list of sizes');
  return parsed;
}

/** Least-squares slope of time over messages → steady-state messages per second. */
function fitPerSecond(points: readonly Point[], key: 'pipelineMs' | 'limitMs'): number | null {
  if (points.length < 2) return null;
  const xs = points.map((p) => p.messages);
  const ys = points.map((p) => p[key]);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i += 1) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  const slopeMs = num / den;
  return slopeMs > 0 ? round(1000 / slopeMs) : null;
}

const SERVER_CHILD = fileURLToPath(
  new URL('../src/messaging/test-support/demo-server-child.ts', import.meta.url),
);

/** The demo network in its own process (as in production, the server's CPU is not ours). */
class ServerProcess {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<string, Array<(message: Record<string, unknown>) => void>>();

  constructor() {
    this.child = spawn(process.execPath, ['--import', 'tsx', SERVER_CHILD], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env: { ...process.env, CARAPACE_LOG_LEVEL: 'error' },
    });
    this.child.on('message', (raw) => {
      const message = raw as Record<string, unknown>;
      const type = String(message.type);
      if (type === 'error') throw new Error(`demo server child: ${String(message.message)}`);
      const next = this.waiting.get(type)?.shift();
      next?.(message);
    });
  }

  next(type: string): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      const list = this.waiting.get(type) ?? [];
      list.push(resolve);
      this.waiting.set(type, list);
    });
  }

  send(message: Record<string, unknown>): void {
    this.child.send(message);
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.send({ type: 'close' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** The app's Receiver over the captured envelopes (staged decrypt, one commit each), no network. */
async function runLimit(
  snapshotDir: string,
  captured: readonly Uint8Array[],
  account: TestAccount,
  config: ClientConfig,
): Promise<{ ms: number; cpuMs: number }> {
  const vault = new Vault(snapshotDir, { kdf: TEST_KDF });
  await vault.unlock(Buffer.from(TEST_PASSPHRASE));
  try {
    const db = vault.db;
    const stores = new SignalProtocolStores(db);
    const receiver = new Receiver({
      store: new MessageStore(db),
      lock: new SerialQueue(),
      decryptor: new SignalAdapter(stores, account, config.unidentifiedDeliveryTrustRoots),
      blockUnknownSenders: () => 'off',
    });
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    for (const bytes of captured) {
      const outcome = await receiver.handleEnvelope(bytes);
      if (outcome !== 'stored') throw new Error(`limit: unexpected outcome ${outcome}`);
    }
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuStart);
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    vault.lock('shutdown');
  }
}

async function measure(messages: number): Promise<Point> {
  const server = new ServerProcess();
  const profileDir = mkdtempSync(join(tmpdir(), 'carapace-bench-profile-'));
  const snapshotDirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'carapace-bench-snapshot-')));
  try {
    const ready = await server.next('ready');
    const config = parseClientConfig(ready.config);
    let vault = new Vault(profileDir, { kdf: TEST_KDF });
    await vault.create(Buffer.from(TEST_PASSPHRASE));
    const account = await registerTestAccount(vault.db, config);
    const contactReply = server.next('contact');
    server.send({ type: 'contact', name: 'Backlog' });
    const contactAci = String((await contactReply).aci);

    const queueStart = performance.now();
    const queued = server.next('queued');
    const acked = server.next('acked');
    server.send({
      type: 'queue',
      to: account.aci,
      from: contactAci,
      count: messages,
      base: Date.now() - 3_600_000,
    });
    const { pending } = await queued;
    if (pending !== messages) throw new Error(`server queued ${String(pending)} of ${messages}`);
    const queueMs = performance.now() - queueStart;

    vault.lock('user');
    for (const dir of snapshotDirs) cpSync(profileDir, dir, { recursive: true });
    vault = new Vault(profileDir, { kdf: TEST_KDF });
    await vault.unlock(Buffer.from(TEST_PASSPHRASE));

    // Pipeline: socket → decrypt → commit → ack, as the app does it.
    const captured: Uint8Array[] = [];
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    const client = await MessagingClient.start({
      vault,
      config,
      credentials: account,
      keepaliveIntervalMs: 0,
      onEnvelope: (bytes) => captured.push(new Uint8Array(bytes)),
    });
    await acked;
    const pipelineMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuStart);
    const pipelineCpuMs = (cpu.user + cpu.system) / 1000;
    const stored = client.receiver.stats.stored;
    await client.stop();
    vault.lock('shutdown');
    if (stored !== messages) throw new Error(`pipeline stored ${stored} of ${messages}`);

    // Limit: the same envelopes, same crypto and store, in-process, on copies of the pre-drain vault;
    // best of two passes, so a burst of load from other processes does not lower the limit.
    const passes = [await runLimit(snapshotDirs[0]!, captured, account, config)];
    passes.push(await runLimit(snapshotDirs[1]!, captured, account, config));
    const limit = passes.reduce((a, b) => (a.ms <= b.ms ? a : b));
    const pipelinePerSecond = (messages * 1000) / pipelineMs;
    const limitPerSecond = (captured.length * 1000) / limit.ms;
    return {
      messages,
      pipelineMs: round(pipelineMs),
      pipelinePerSecond: round(pipelinePerSecond),
      pipelineCpuMs: round(pipelineCpuMs),
      limitMs: round(limit.ms),
      limitPerSecond: round(limitPerSecond),
      limitCpuMs: round(limit.cpuMs),
      limitPassesMs: passes.map((p) => round(p.ms)),
      ratio: round(pipelinePerSecond / limitPerSecond, 3),
      queueMs: round(queueMs),
    };
  } finally {
    await server.close();
    rmSync(profileDir, { recursive: true, force: true });
    for (const dir of snapshotDirs) rmSync(dir, { recursive: true, force: true });
  }
}

export const backlogBench: BenchModule = {
  name: 'backlog',
  async run() {
    const points: Point[] = [];
    for (const n of sizes()) {
      const point = await measure(n);
      process.stdout.write(
        `  backlog ${n}: pipeline ${point.pipelinePerSecond} msg/s, limit ${point.limitPerSecond} msg/s, ratio ${point.ratio}\n`,
      );
      points.push(point);
    }
    const largest = points[points.length - 1]!;
    return {
      ratio: largest.ratio,
      ratioMeaning:
        'sealed-sender backlog drained from the mock server (decrypt + vault commit + ack) ÷ in-process limit (the same envelopes through the same Receiver without the network: staged libsignal decrypt + one commit each), messages/second, at the largest backlog; higher is better',
      target: '>= 0.5',
      details: {
        points,
        fittedPipelinePerSecond: fitPerSecond(points, 'pipelineMs'),
        fittedLimitPerSecond: fitPerSecond(points, 'limitMs'),
        notes:
          'The demo server runs in its own process (in production the server is remote) and delivers one envelope at a time, waiting for its ack; the pipeline time includes TLS/HTTP2/WebSocket round trips, the connect and batched delivery receipts. Vault: SQLCipher, WAL, synchronous=NORMAL; test KDF parameters (KDF cost is not part of the measurement). Both measured in the same run; on a loaded shared machine the ratio moves by ±0.2 between runs.',
      },
    };
  },
};

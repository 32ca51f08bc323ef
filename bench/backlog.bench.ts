/**
 * Backlog benchmark (like Signal-Desktop's startup benchmark): a simulated contact on the local mock
 * server queues N sealed-sender messages while we are offline; then the messaging client connects and
 * drains them — decrypt + vault commit + ack — as the server delivers them with its delivery window open
 * (WINDOW envelopes ahead of our acks, as a real server pipelines), so the Receiver commits each batch in
 * one transaction and then acks it. Swept over N (default 1,000 / 5,000 / 10,000; override with
 * CARAPACE_BENCH_BACKLOG="1000,5000") and fitted (time over N, least squares) for the steady rate.
 *
 * Beside it, in the same run, the in-process limit: the very same envelopes (captured as they arrived)
 * handed to the app's own Receiver on a copy of the vault taken before the drain — the same batches and
 * the same durability (nothing resolves before its batch committed) — with no network. Each side is
 * measured twice, interleaved (drain, limit, a second contact's backlog of the same size drained into
 * another copy of the pre-drain vault, limit); the msg/s figures are the best of two each. Also the
 * unbatched receive (each envelope awaited: one commit per message, the wave-1/2 design) to show what
 * batching buys. ratio = total time of both limit passes ÷ total time of both drains at the largest N
 * (target ≥ 0.8; absolute target ≥ 1,500 msg/s at 10,000).
 */
import { closeSync, cpSync, fsyncSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SerialQueue } from '../src/async/serial-queue.js';
import { Receiver } from '../src/messaging/receiver.js';
import { SignalAdapter } from '../src/messaging/signal-adapter.js';
import { MessageStore } from '../src/messaging/store.js';
import { MessagingClient } from '../src/messaging/client.js';
import { registerTestAccount, type TestAccount } from '../src/messaging/test-support/account.js';
import { parseClientConfig, type ClientConfig } from '../src/net/config.js';
import { listFiles } from '../src/test-support/files.js';
import { TEST_KDF, TEST_PASSPHRASE } from '../src/test-support/vault.js';
import { SignalProtocolStores } from '../src/signal/stores/index.js';
import { Vault } from '../src/vault/index.js';
import { fitRate } from './fit.js';
import { measureLibsignalFloor } from './libsignal-floor.js';
import { timedReceivePass, type ReceiveStages } from './receive-stages.js';
import { seedHistory } from './store-into-history.js';
import { ServerProcess } from './server-process.js';
import type { BenchModule } from './types.js';

/** Envelopes the demo server sends ahead of our acks (its default is 1, one round trip per message). */
const WINDOW = 256;

interface Point {
  readonly messages: number;
  readonly pipelineMs: number;
  readonly pipelinePerSecond: number;
  readonly pipelineCpuMs: number;
  readonly pipelineBatches: number;
  readonly pipelinePassesMs: readonly number[];
  /** The demo server process's CPU over the drain (it is remote in production, but shares these cores). */
  readonly serverCpuMs: number;
  /** Messages/s if client and server CPU per message were spread perfectly over every core. */
  readonly allCoresCeilingPerSecond: number;
  readonly limitMs: number;
  readonly limitCpuMs: number;
  readonly limitPassesMs: readonly number[];
  readonly limitPerSecond: number;
  readonly unbatchedMs: number;
  readonly unbatchedPerSecond: number;
  /**
   * Both limit passes' time ÷ both drains' time. Totals, not best against best: on this shared machine
   * one unusually fast pass on either side swung a best-of-two comparison by up to 0.3.
   */
  readonly ratio: number;
  readonly queueMs: number;
  readonly loadAverage: number;
  /** At the largest N only: where a message's CPU goes in one more batched limit pass, timed by stage. */
  readonly limitStages?: ReceiveStages;
  /** At the largest N only: batched limit passes into a vault that already holds a long history. */
  readonly limitWithHistory?: HistoryPass;
}

interface HistoryPass {
  readonly historyMessages: number;
  readonly passesMs: readonly number[];
  /** The best of the two passes, as for the limit. */
  readonly ms: number;
  readonly perSecond: number;
  /** Both limit passes' time ÷ both history passes' time (each history pass ran right after a limit pass). */
  readonly ratioToLimit: number;
}

/** The long history of the largest point's extra limit pass: 1,000 chats × 100 messages, as in `scale`. */
const HISTORY = { conversations: 1_000, perConversation: 100 } as const;

/** Seeds HISTORY into the (locked) vault copy in `dir`. */
async function addHistory(dir: string): Promise<void> {
  const vault = new Vault(dir, { kdf: TEST_KDF });
  await vault.unlock(Buffer.from(TEST_PASSPHRASE));
  try {
    seedHistory(vault.db, HISTORY.conversations, HISTORY.perConversation);
  } finally {
    vault.lock('shutdown');
  }
}

/** fsyncs every file under `dir`. */
function flushToDisk(dir: string): void {
  for (const path of listFiles(dir)) {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
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

/**
 * The app's Receiver over the captured envelopes, no network: `batched` hands them all in at once (the
 * Receiver commits them 64 per transaction, as in the pipeline), otherwise each is awaited (one commit each).
 */
async function runLimit(
  snapshotDir: string,
  captured: readonly Uint8Array[],
  account: TestAccount,
  config: ClientConfig,
  batched: boolean,
): Promise<{ ms: number; cpuMs: number }> {
  const vault = new Vault(snapshotDir, { kdf: TEST_KDF });
  await vault.unlock(Buffer.from(TEST_PASSPHRASE));
  let adapter: SignalAdapter | undefined;
  try {
    const db = vault.db;
    const stores = new SignalProtocolStores(db);
    adapter = new SignalAdapter(stores, account, config.unidentifiedDeliveryTrustRoots);
    const receiver = new Receiver({
      store: new MessageStore(db),
      lock: new SerialQueue(),
      decryptor: adapter,
      blockUnknownSenders: () => 'off',
    });
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    const outcomes = batched
      ? await Promise.all(captured.map((bytes) => receiver.handleEnvelope(bytes)))
      : [];
    if (!batched) for (const bytes of captured) outcomes.push(await receiver.handleEnvelope(bytes));
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuStart);
    const unexpected = outcomes.find((outcome) => outcome !== 'stored');
    if (unexpected) throw new Error(`limit: unexpected outcome ${unexpected}`);
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    await adapter?.close();
    vault.lock('shutdown');
  }
}

interface Drain {
  readonly ms: number;
  readonly cpuMs: number;
  readonly serverCpuMs: number;
  readonly batches: number;
}

/**
 * One drain of the queued backlog through the app's MessagingClient on the vault in `dir`: socket →
 * decrypt → commit → ack. Resolves once the server saw every envelope acked.
 */
async function drain(
  dir: string,
  server: ServerProcess,
  backlog: { readonly acked: Promise<unknown> },
  account: TestAccount,
  config: ClientConfig,
  messages: number,
  capture?: Uint8Array[],
): Promise<Drain> {
  const vault = new Vault(dir, { kdf: TEST_KDF });
  await vault.unlock(Buffer.from(TEST_PASSPHRASE));
  try {
    const serverCpuStart = await server.cpuMs();
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    const client = await MessagingClient.start({
      vault,
      config,
      credentials: account,
      keepaliveIntervalMs: 0,
      ...(capture ? { onEnvelope: (bytes: Uint8Array) => capture.push(new Uint8Array(bytes)) } : {}),
    });
    await backlog.acked;
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuStart);
    const serverCpuMs = (await server.cpuMs()) - serverCpuStart;
    const { stored, batches } = client.receiver.stats;
    await client.stop();
    if (stored !== messages) throw new Error(`pipeline stored ${stored} of ${messages}`);
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000, serverCpuMs, batches };
  } finally {
    vault.lock('shutdown');
  }
}

/** A new contact on the server queues `messages` sealed-sender messages to us; resolves once all are queued. */
async function queueBacklog(
  server: ServerProcess,
  account: TestAccount,
  name: string,
  messages: number,
): Promise<{ readonly acked: Promise<unknown> }> {
  const contactReply = server.next('contact');
  server.send({ type: 'contact', name });
  const from = String((await contactReply).aci);
  const queued = server.next('queued');
  const acked = server.next('acked');
  server.send({ type: 'queue', to: account.aci, from, count: messages, base: Date.now() - 3_600_000 });
  const { pending } = await queued;
  if (pending !== messages) throw new Error(`server queued ${String(pending)} of ${messages}`);
  return { acked };
}

async function measure(messages: number, withStages: boolean): Promise<Point> {
  const server = new ServerProcess(WINDOW);
  const profileDir = mkdtempSync(join(tmpdir(), 'carapace-bench-profile-'));
  const snapshotDirs = [0, 1, 2, 3, 4, 5, 6].map(() =>
    mkdtempSync(join(tmpdir(), 'carapace-bench-snapshot-')),
  );
  try {
    const ready = await server.next('ready');
    const config = parseClientConfig(ready.config);
    const vault = new Vault(profileDir, { kdf: TEST_KDF });
    await vault.create(Buffer.from(TEST_PASSPHRASE));
    const account = await registerTestAccount(vault.db, config);
    const queueStart = performance.now();
    let backlog = await queueBacklog(server, account, 'Backlog', messages);
    const queueMs = performance.now() - queueStart;
    vault.lock('user');
    for (const dir of snapshotDirs) cpSync(profileDir, dir, { recursive: true });
    // The long-history copies are seeded now, long before their passes, so that seeding's own garbage and
    // writeback are not inside the measurement.
    if (withStages) {
      await addHistory(snapshotDirs[5]!);
      cpSync(snapshotDirs[5]!, snapshotDirs[6]!, { recursive: true });
      // Written out now: left to the kernel's writeback, these copies' ≈ 100 MB of dirty pages went to
      // disk during the first drain, whose commits then waited on their fsyncs (it ran 13–33 % slower
      // than the second drain at 10,000 messages, and not at 1,000 or 5,000, where nothing is seeded).
      for (const dir of [snapshotDirs[5]!, snapshotDirs[6]!]) flushToDisk(dir);
    }

    // Pipeline and limit are each measured twice, interleaved (pipeline, limit, pipeline, limit), and
    // compared by their totals: this shared machine's speed drifts within a run, so each side gets the
    // same spells. The second drain is a second contact's backlog of the same size into another copy of
    // the pre-drain vault (the same envelopes again would meet the first contact's session already
    // advanced by our receipts).
    const captured: Uint8Array[] = [];
    const drains = [await drain(profileDir, server, backlog, account, config, messages, captured)];
    if (captured.length !== messages) throw new Error(`captured ${captured.length} of ${messages}`);
    const loadAverage = loadavg()[0] ?? 0;
    // At the largest N, each limit pass is followed by one into a long history, so drift hits both alike.
    const historyPasses: { ms: number }[] = [];
    const limitPass = async (dir: number, historyDir: number) => {
      const pass = await runLimit(snapshotDirs[dir]!, captured, account, config, true);
      if (withStages)
        historyPasses.push(await runLimit(snapshotDirs[historyDir]!, captured, account, config, true));
      return pass;
    };
    const passes = [await limitPass(0, 5)];
    backlog = await queueBacklog(server, account, 'Backlog 2', messages);
    drains.push(await drain(snapshotDirs[4]!, server, backlog, account, config, messages));
    passes.push(await limitPass(1, 6));
    const pipeline = drains.reduce((a, b) => (a.ms <= b.ms ? a : b));
    const limit = passes.reduce((a, b) => (a.ms <= b.ms ? a : b));
    const totalMs = (list: readonly { ms: number }[]) => list.reduce((total, p) => total + p.ms, 0);
    const unbatched = await runLimit(snapshotDirs[2]!, captured, account, config, false);
    const limitStages = withStages
      ? await timedReceivePass(snapshotDirs[3]!, captured, account, config, true)
      : undefined;
    let limitWithHistory: HistoryPass | undefined;
    if (historyPasses.length > 0) {
      const pass = historyPasses.reduce((a, b) => (a.ms <= b.ms ? a : b));
      const perSecond = (captured.length * 1000) / pass.ms;
      limitWithHistory = {
        historyMessages: HISTORY.conversations * HISTORY.perConversation,
        passesMs: historyPasses.map((p) => round(p.ms)),
        ms: round(pass.ms),
        perSecond: round(perSecond),
        ratioToLimit: round(totalMs(passes) / totalMs(historyPasses), 3),
      };
    }
    const pipelineMs = pipeline.ms;
    const pipelineCpuMs = pipeline.cpuMs;
    const serverCpuMs = pipeline.serverCpuMs;
    const pipelineBatches = pipeline.batches;
    const pipelinePerSecond = (messages * 1000) / pipelineMs;
    const limitPerSecond = (captured.length * 1000) / limit.ms;
    return {
      messages,
      pipelineMs: round(pipelineMs),
      pipelinePerSecond: round(pipelinePerSecond),
      pipelineCpuMs: round(pipelineCpuMs),
      pipelineBatches,
      pipelinePassesMs: drains.map((d) => round(d.ms)),
      serverCpuMs: round(serverCpuMs),
      allCoresCeilingPerSecond: round(
        (messages * 1000 * availableParallelism()) / (pipelineCpuMs + serverCpuMs),
      ),
      limitMs: round(limit.ms),
      limitPerSecond: round(limitPerSecond),
      limitCpuMs: round(limit.cpuMs),
      limitPassesMs: passes.map((p) => round(p.ms)),
      unbatchedMs: round(unbatched.ms),
      unbatchedPerSecond: round((captured.length * 1000) / unbatched.ms),
      ratio: round(totalMs(passes) / totalMs(drains), 3),
      queueMs: round(queueMs),
      loadAverage: round(loadAverage, 2),
      ...(limitStages ? { limitStages } : {}),
      ...(limitWithHistory ? { limitWithHistory } : {}),
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
    const all = sizes();
    for (const [i, n] of all.entries()) {
      const point = await measure(n, i === all.length - 1);
      process.stdout.write(
        `  backlog ${n}: pipeline ${point.pipelinePerSecond} msg/s (${point.pipelineBatches} batches, all-cores ceiling ${point.allCoresCeilingPerSecond}), limit ${point.limitPerSecond} msg/s, unbatched ${point.unbatchedPerSecond} msg/s, ratio ${point.ratio}, load ${point.loadAverage}${point.limitWithHistory ? `, limit into a 100k-message history ${point.limitWithHistory.perSecond} msg/s` : ''}\n`,
      );
      points.push(point);
    }
    const largest = points[points.length - 1]!;
    const libsignalFloor = await measureLibsignalFloor();
    return {
      ratio: largest.ratio,
      ratioMeaning:
        'sealed-sender backlog drained from the mock server in its own process (decrypt + vault commit per batch + ack after commit) ÷ in-process limit (the same envelopes through the same Receiver and batches without the network), messages/second, at the largest backlog, from the total time of two interleaved passes on each side; higher is better',
      target: '>= 0.8, and >= 1,500 msg/s at 10,000 messages',
      details: {
        points,
        deliveryWindow: WINDOW,
        libsignalFloor,
        fittedPipeline: fitRate(points.map((p) => ({ count: p.messages, ms: p.pipelineMs }))),
        fittedLimit: fitRate(points.map((p) => ({ count: p.messages, ms: p.limitMs }))),
        fittedUnbatched: fitRate(points.map((p) => ({ count: p.messages, ms: p.unbatchedMs }))),
        stages:
          'limitStages (largest N): µs of CPU per message in a batched limit pass on ONE thread (the unseal worker off, so each part of a message is counted where it runs) — decryptUs: libsignal sealed-sender + session decrypt with staged store writes, the certificate check (signatures once per distinct certificate) and the Content decode; stagedCommitUs: writing the staged protocol state (each session once per batch); applyUs: the message rows (Receiver.apply); beginCommitUs: BEGIN/COMMIT (SQLCipher page encryption of the WAL frames); restUs: envelope decode, duplicate check, batching and promise turns. libsignalFloor: libsignal alone (bench/libsignal-floor.ts: in-memory stores, no vault, no network), µs of CPU per message to open the sealed-sender layer and then the session message — for first-contact PreKey messages (as here: the demo contact never hears from us) and for an established session — and per X25519 agreement (sealed sender needs two per message); 1 s ÷ (unsealUs + sessionUs) is the most any receive pipeline on one core could do; the pipeline and the limit open the sealed-sender layer of envelopes that wait behind a batch on the unseal worker (src/signal/unseal-worker.ts), so their CPU per message counts both threads. pipelineCpuMs ÷ messages − limitCpuMs ÷ messages is what the network path (TLS, HTTP/2, WebSocket frames, acks, receipts) and the smaller batches add. limitWithHistory (largest N): two more batched limit passes, each right after a limit pass, into copies of the pre-drain vault that first got 100,000 older messages in 1,000 chats (bench/store-into-history.ts); ratioToLimit = the total time of the two limit passes ÷ that of the two history passes (a single fast limit pass on this drifting machine skewed a best-of-two comparison) — receiving should not slow down as history grows.',
        notes:
          'The demo server runs in its own process (in production the server is remote) and keeps deliveryWindow envelopes in flight ahead of our acks; the Receiver decrypts what arrived while the previous batch was worked on (at most 64), commits it in ONE transaction, then the socket acks each (ack-after-commit; SIGKILL exactly-once: src/messaging/crash.test.ts). The pipeline time includes the connect, TLS/HTTP2/WebSocket framing and batched delivery receipts. Vault: SQLCipher, WAL, synchronous=NORMAL; test KDF parameters. loadAverage: 1-minute load when the point was measured (2 shared cores). serverCpuMs: the CPU the demo server process spent over the drain; allCoresCeilingPerSecond = messages × cores ÷ (our CPU + the server CPU): what no design with this CPU per message could pass on this machine, even spread perfectly over every core while the server shares them. fitted*: least-squares time over messages (rate ± its standard error, fixed cost, R²).',
      },
    };
  },
};

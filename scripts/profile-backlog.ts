/**
 * `tsx scripts/profile-backlog.ts [messages] [--cpu-prof out.cpuprofile]`: where a received message's time
 * goes. A contact on the demo network (its own process) queues N sealed-sender messages; the client drains
 * them once (capturing the envelopes); then the app's Receiver takes the same envelopes on copies of the
 * pre-drain vault, one commit per message and batched, with each stage timed: decode + duplicate check,
 * libsignal decrypt (staged), applying the staged protocol state, the message writes (Receiver.apply),
 * BEGIN/COMMIT, and the rest (queueing, promise turns) — in CPU time of this process (process.cpuUsage),
 * so other load on a shared machine inflates it less than wall time. With --cpu-prof, writes V8 CPU
 * profiles of the batched pass (<out>) and of the drain through the network (<out>.pipeline.cpuprofile);
 * read them with scripts/profile-summary.ts. A diagnostic, not a benchmark.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SerialQueue } from '../src/async/serial-queue.js';
import { MessagingClient } from '../src/messaging/client.js';
import { Receiver, type StagedDecrypt } from '../src/messaging/receiver.js';
import { SignalAdapter } from '../src/messaging/signal-adapter.js';
import { MessageStore } from '../src/messaging/store.js';
import { registerTestAccount, type TestAccount } from '../src/messaging/test-support/account.js';
import { parseClientConfig, type ClientConfig } from '../src/net/config.js';
import type { Envelope } from '../src/signal/proto/signal-service.js';
import { SignalProtocolStores } from '../src/signal/stores/index.js';
import { TEST_KDF, TEST_PASSPHRASE } from '../src/test-support/vault.js';
import { Vault } from '../src/vault/index.js';
import { ServerProcess } from '../bench/server-process.js';

const messages = Number(process.argv[2] ?? 2000);
const profileOut = process.argv.includes('--cpu-prof')
  ? process.argv[process.argv.indexOf('--cpu-prof') + 1]
  : undefined;

type Stage = 'decrypt' | 'stagedCommit' | 'apply' | 'transaction';

/** CPU milliseconds (user + system) of this process so far. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function pass(
  dir: string,
  captured: readonly Uint8Array[],
  account: TestAccount,
  config: ClientConfig,
  batched: boolean,
): Promise<Record<string, number>> {
  const vault = new Vault(dir, { kdf: TEST_KDF });
  await vault.unlock(Buffer.from(TEST_PASSPHRASE));
  const spent: Record<Stage, number> = { decrypt: 0, stagedCommit: 0, apply: 0, transaction: 0 };
  const timed = <T>(stage: Stage, fn: () => T): T => {
    const start = cpuMs();
    try {
      return fn();
    } finally {
      spent[stage] += cpuMs() - start;
    }
  };
  try {
    const adapter = new SignalAdapter(
      new SignalProtocolStores(vault.db),
      account,
      config.unidentifiedDeliveryTrustRoots,
    );
    const store = new MessageStore(vault.db);
    const transaction = store.transaction.bind(store);
    store.transaction = (fn) => timed('transaction', () => transaction(fn));
    const decryptor = {
      decryptStaged: async (envelope: Envelope, after?: StagedDecrypt) => {
        const start = cpuMs();
        const staged = await adapter.decryptStaged(envelope, after);
        spent.decrypt += cpuMs() - start;
        const commit = staged.commit.bind(staged);
        // Patched on the adapter's own object: the next decrypt of the batch must chain onto it.
        (staged as { commit(): void }).commit = () => timed('stagedCommit', commit);
        return staged;
      },
      pendingIdentityChanges: () => adapter.pendingIdentityChanges(),
      consumeIdentityChanges: (ids: readonly number[]) => adapter.consumeIdentityChanges(ids),
    };
    const receiver = new Receiver({
      store,
      lock: new SerialQueue(),
      decryptor,
      blockUnknownSenders: () => 'off',
    });
    const internals = receiver as unknown as { apply: (...args: unknown[]) => unknown };
    const apply = internals.apply.bind(receiver);
    internals.apply = (...args: unknown[]) => timed('apply', () => apply(...args));

    const start = cpuMs();
    const wallStart = performance.now();
    await profiled(batched ? profileOut : undefined, async () => {
      if (batched) await Promise.all(captured.map((bytes) => receiver.handleEnvelope(bytes)));
      else for (const bytes of captured) await receiver.handleEnvelope(bytes);
    });
    const total = cpuMs() - start;
    const wall = performance.now() - wallStart;
    const n = captured.length;
    const us = (ms: number): number => Math.round((ms * 1000) / n);
    const inTransaction = spent.stagedCommit + spent.apply;
    return {
      batches: receiver.stats.batches,
      wallUsPerMessage: us(wall),
      cpuUsPerMessage: us(total),
      decryptUs: us(spent.decrypt),
      stagedCommitUs: us(spent.stagedCommit),
      applyUs: us(spent.apply),
      beginCommitUs: us(spent.transaction - inTransaction),
      restUs: us(total - spent.decrypt - spent.transaction),
    };
  } finally {
    vault.lock('shutdown');
  }
}

/** Runs `work` under the V8 profiler when a profile was asked for, writing it to `out`. */
async function profiled<T>(out: string | undefined, work: () => Promise<T>): Promise<T> {
  if (!out) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(out, JSON.stringify(profile));
    session.disconnect();
  }
}

const server = new ServerProcess(128);
const root = mkdtempSync(join(tmpdir(), 'carapace-profile-backlog-'));
try {
  const config = parseClientConfig((await server.next('ready')).config);
  const profileDir = join(root, 'profile');
  let vault = new Vault(profileDir, { kdf: TEST_KDF });
  await vault.create(Buffer.from(TEST_PASSPHRASE));
  const account = await registerTestAccount(vault.db, config);
  const contact = server.next('contact');
  server.send({ type: 'contact', name: 'Profile' });
  const from = String((await contact).aci);
  const queued = server.next('queued');
  const acked = server.next('acked');
  server.send({ type: 'queue', to: account.aci, from, count: messages, base: Date.now() - 3_600_000 });
  await queued;
  vault.lock('user');
  const copies = ['unbatched', 'batched'].map((name) => {
    const dir = join(root, name);
    cpSync(profileDir, dir, { recursive: true });
    return dir;
  });
  vault = new Vault(profileDir, { kdf: TEST_KDF });
  await vault.unlock(Buffer.from(TEST_PASSPHRASE));
  const captured: Uint8Array[] = [];
  const drainCpu = cpuMs();
  const client = await profiled(profileOut && `${profileOut}.pipeline.cpuprofile`, async () => {
    const started = await MessagingClient.start({
      vault,
      config,
      credentials: account,
      keepaliveIntervalMs: 0,
      onEnvelope: (bytes) => captured.push(new Uint8Array(bytes)),
    });
    await acked;
    return started;
  });
  const pipelineCpuUsPerMessage = Math.round(((cpuMs() - drainCpu) * 1000) / messages);
  const pipelineBatches = client.receiver.stats.batches;
  await client.stop();
  vault.lock('shutdown');
  const [unbatchedDir, batchedDir] = copies as [string, string];
  const result = {
    messages,
    pipeline: { cpuUsPerMessage: pipelineCpuUsPerMessage, batches: pipelineBatches },
    unbatched: await pass(unbatchedDir, captured, account, config, false),
    batched: await pass(batchedDir, captured, account, config, true),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await server.close();
  rmSync(root, { recursive: true, force: true });
}

/**
 * Where a received message's CPU goes: the app's Receiver over captured envelopes on a copy of the
 * pre-drain vault (no network), with each stage timed in CPU time of this process (process.cpuUsage, so
 * other load on a shared machine inflates it less than wall time): libsignal decrypt with its store writes
 * staged (incl. the sealed-sender certificate check and the Content decode), applying the staged protocol
 * state, the message writes (Receiver.apply), BEGIN/COMMIT, and the rest (decode + duplicate check,
 * queueing, promise turns). Used by bench/backlog.bench.ts and scripts/profile-backlog.ts; the timing
 * wrappers themselves cost ≈ 2 µs per call.
 */
import { performance } from 'node:perf_hooks';
import { SerialQueue } from '../src/async/serial-queue.js';
import { Receiver, type StagedDecrypt } from '../src/messaging/receiver.js';
import { SignalAdapter } from '../src/messaging/signal-adapter.js';
import { MessageStore } from '../src/messaging/store.js';
import type { TestAccount } from '../src/messaging/test-support/account.js';
import type { ClientConfig } from '../src/net/config.js';
import type { Envelope } from '../src/signal/proto/signal-service.js';
import { SignalProtocolStores } from '../src/signal/stores/index.js';
import { TEST_KDF, TEST_PASSPHRASE } from '../src/test-support/vault.js';
import { Vault } from '../src/vault/index.js';

type Stage = 'decrypt' | 'stagedCommit' | 'apply' | 'transaction';

/** Per message, in µs (CPU unless named wall). */
export interface ReceiveStages {
  readonly batches: number;
  readonly wallUsPerMessage: number;
  readonly cpuUsPerMessage: number;
  readonly decryptUs: number;
  readonly stagedCommitUs: number;
  readonly applyUs: number;
  readonly beginCommitUs: number;
  readonly restUs: number;
}

/** CPU milliseconds (user + system) of this process so far. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * One pass over `captured` on the vault in `dir`: batched (all handed in at once, as the pipeline's
 * delivery window does) or one commit per message. `around` wraps the pass (e.g. a CPU profiler).
 */
export async function timedReceivePass(
  dir: string,
  captured: readonly Uint8Array[],
  account: TestAccount,
  config: ClientConfig,
  batched: boolean,
  around: (work: () => Promise<void>) => Promise<void> = (work) => work(),
): Promise<ReceiveStages> {
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
    await around(async () => {
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

/**
 * Vault benchmark: (1) unlock time at the default Argon2id parameters; (2) the encrypted vault vs plain
 * (unencrypted) SQLite with the same connection settings on the same message-store workload: batched
 * backlog inserts, single inserts (one transaction each), lookups by id and 50-row page reads, each
 * alone and mixed. ratio = vault time / plain time (lower is better; target ≤ 1.3 for the mix).
 * The headline is the median of the per-repetition ratios of the mix: on a shared, loaded machine a
 * stall during one engine's slice swings a total-time ratio by ±0.3; pairing adjacent slices does not.
 * Total-time ratios (checkpoints included) are reported beside it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setLogSink } from '../src/log.js';
import { Database, applyConnectionSettings } from '../src/vault/driver.js';
import { TEST_KDF } from '../src/test-support/vault.js';
import { DEFAULT_KDF_PARAMS, deriveKey, newSalt } from '../src/vault/kdf.js';
import type { SqlDatabase } from '../src/vault/sql.js';
import { Vault } from '../src/vault/vault.js';
import type { BenchModule } from './types.js';

const CONVERSATIONS = 20;
/** Initial backlog, then per repetition: */
const BACKLOG = 10_000;
const BATCH = 500;
const REPS = 20;
const REP_BACKLOG = 2_000;
const REP_SINGLES = 100;
const REP_LOOKUPS = 2_000;
const REP_PAGES = 100;
const REP_MIX_ROUNDS = 4;
const PAGE_SIZE = 50;

const SCHEMA = `
  CREATE TABLE bench_messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL,
    sent_at INTEGER NOT NULL,
    source TEXT NOT NULL,
    body TEXT NOT NULL,
    status INTEGER NOT NULL
  );
  CREATE INDEX bench_messages_page ON bench_messages (conversation_id, sent_at DESC, id DESC);
`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function time(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

/** Deterministic pseudo-random numbers so both engines see the same workload. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const BODIES = Array.from({ length: 256 }, (_, i) => `${randomBytes(60 + (i % 7) * 40).toString('base64')}`);

class Workload {
  private readonly insert;
  private readonly byId;
  private readonly page;
  private readonly firstPage;
  private sentAt = 1_700_000_000_000;
  private count = 0;

  constructor(private readonly db: SqlDatabase) {
    db.exec(SCHEMA);
    this.insert = db.prepare(
      'INSERT INTO bench_messages (conversation_id, sent_at, source, body, status) VALUES (?, ?, ?, ?, ?)',
    );
    this.byId = db.prepare('SELECT * FROM bench_messages WHERE id = ?');
    this.firstPage = db.prepare(
      'SELECT * FROM bench_messages WHERE conversation_id = ? ORDER BY sent_at DESC, id DESC LIMIT ?',
    );
    this.page = db.prepare(
      `SELECT * FROM bench_messages WHERE conversation_id = ? AND (sent_at, id) < (?, ?)
       ORDER BY sent_at DESC, id DESC LIMIT ?`,
    );
  }

  private insertOne(r: () => number): void {
    this.sentAt += 1 + Math.floor(r() * 1000);
    const conversation = Math.floor(r() * CONVERSATIONS);
    this.insert.run(
      conversation,
      this.sentAt,
      `source-${conversation}`,
      BODIES[this.count % BODIES.length],
      1,
    );
    this.count++;
  }

  backlog(n: number, r: () => number): void {
    const batch = this.db.transaction((size: number) => {
      for (let i = 0; i < size; i++) this.insertOne(r);
    });
    for (let done = 0; done < n; done += BATCH) batch(Math.min(BATCH, n - done));
  }

  singles(n: number, r: () => number): void {
    for (let i = 0; i < n; i++) this.insertOne(r);
  }

  lookups(n: number, r: () => number): void {
    for (let i = 0; i < n; i++) {
      const row = this.byId.get(1 + Math.floor(r() * this.count));
      if (!row) throw new Error('lookup missed');
    }
  }

  pages(n: number, r: () => number): void {
    for (let i = 0; i < n; i++) {
      const conversation = Math.floor(r() * CONVERSATIONS);
      const first = this.firstPage.all(conversation, PAGE_SIZE) as { sent_at: number; id: number }[];
      // Scroll back one page from a random point of the first page's history.
      const anchor = first[Math.floor(r() * first.length)];
      if (anchor) this.page.all(conversation, anchor.sent_at, anchor.id, PAGE_SIZE);
    }
  }

  /** A client's day in miniature: a backlog batch arrives, a few sends, many reads, scrolling. */
  mixed(rounds: number, r: () => number): void {
    for (let i = 0; i < rounds; i++) {
      this.backlog(100, r);
      this.singles(10, r);
      this.lookups(300, r);
      this.pages(30, r);
    }
  }
}

type Op = 'backlog' | 'singles' | 'lookups' | 'pages' | 'mixed';
type Engine = 'vault' | 'plain';
const OPS: readonly Op[] = ['backlog', 'singles', 'lookups', 'pages', 'mixed'];

/** One repetition's slice of each operation; both engines run the same slice back to back. */
function slice(w: Workload, op: Op, r: () => number): void {
  if (op === 'backlog') w.backlog(REP_BACKLOG, r);
  else if (op === 'singles') w.singles(REP_SINGLES, r);
  else if (op === 'lookups') w.lookups(REP_LOOKUPS, r);
  else if (op === 'pages') w.pages(REP_PAGES, r);
  else w.mixed(REP_MIX_ROUNDS, r);
}

/**
 * Both engines get the same initial backlog, then REPS repetitions; in each, every operation runs on
 * plain and vault back to back (order alternating), so load drift on a shared machine hits both alike.
 * Per operation we keep total time over all repetitions (checkpoints included) and the median of the
 * per-repetition ratios (robust to a stray stall on either side).
 */
function compare(
  dbs: Record<Engine, SqlDatabase>,
): Record<Op, { vaultMs: number; plainMs: number; ratio: number; medianRepRatio: number }> {
  const work = { vault: new Workload(dbs.vault), plain: new Workload(dbs.plain) };
  const rngs = { vault: rng(42), plain: rng(42) };
  const initial = { vault: 0, plain: 0 };
  for (const engine of ['plain', 'vault'] as const)
    initial[engine] = time(() => work[engine].backlog(BACKLOG, rngs[engine]));
  const totals = Object.fromEntries(
    OPS.map((op) => [op, { vault: 0, plain: 0, ratios: [] as number[] }]),
  ) as Record<Op, { vault: number; plain: number; ratios: number[] }>;
  for (let rep = 0; rep < REPS; rep++) {
    const order: Engine[] = rep % 2 ? ['vault', 'plain'] : ['plain', 'vault'];
    for (const op of OPS) {
      const t = { vault: 0, plain: 0 };
      for (const engine of order) t[engine] = time(() => slice(work[engine], op, rngs[engine]));
      totals[op].vault += t.vault;
      totals[op].plain += t.plain;
      totals[op].ratios.push(t.vault / t.plain);
    }
  }
  totals.backlog.vault += initial.vault;
  totals.backlog.plain += initial.plain;
  const out = {} as Record<Op, { vaultMs: number; plainMs: number; ratio: number; medianRepRatio: number }>;
  for (const op of OPS) {
    const o = totals[op];
    out[op] = {
      vaultMs: round2(o.vault),
      plainMs: round2(o.plain),
      ratio: round3(o.vault / o.plain),
      medianRepRatio: round3(median(o.ratios)),
    };
  }
  return out;
}

async function measureUnlock(root: string): Promise<{ unlockMs: number[]; argon2Ms: number[] }> {
  const dir = join(root, 'unlock');
  // The fixed defaults (a vault without `kdf` calibrates to the machine: bench/duress.bench.ts reports that).
  const vault = new Vault(dir, { kdf: DEFAULT_KDF_PARAMS });
  const passphrase = Buffer.from('benchmark passphrase with some length');
  await vault.create(passphrase);
  vault.lock();
  const unlockMs: number[] = [];
  const argon2Ms: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    await vault.unlock(passphrase);
    unlockMs.push(performance.now() - start);
    vault.lock();
    const a = performance.now();
    (await deriveKey(passphrase, newSalt(), DEFAULT_KDF_PARAMS)).fill(0);
    argon2Ms.push(performance.now() - a);
  }
  return { unlockMs, argon2Ms };
}

export const vaultBench: BenchModule = {
  name: 'vault',
  async run() {
    setLogSink(() => {});
    const root = mkdtempSync(join(tmpdir(), 'carapace-bench-vault-'));
    try {
      const unlock = await measureUnlock(root);
      // The KDF cost is measured above; the per-operation comparison only needs an open vault.
      const vault = new Vault(join(root, 'vault'), { kdf: TEST_KDF });
      await vault.create(Buffer.from('bench'));
      mkdirSync(join(root, 'plain'), { recursive: true });
      const plain = new Database(join(root, 'plain', 'plain.db'));
      applyConnectionSettings(plain);
      const perOp = compare({ vault: vault.db, plain });
      vault.lock();
      plain.close();
      for (const op of OPS) {
        const o = perOp[op];
        process.stdout.write(
          `  vault ${op.padEnd(8)} vault ${o.vaultMs.toFixed(1).padStart(8)} ms  plain ${o.plainMs
            .toFixed(1)
            .padStart(
              8,
            )} ms  ratio ${o.ratio.toFixed(3)} (median of repetitions ${o.medianRepRatio.toFixed(3)})\n`,
        );
      }
      const unlockMedian = median(unlock.unlockMs);
      process.stdout.write(
        `  vault unlock at defaults (argon2id ${DEFAULT_KDF_PARAMS.memoryKiB / 1024} MiB, t=${DEFAULT_KDF_PARAMS.timeCost}, p=${DEFAULT_KDF_PARAMS.parallelism}): median ${unlockMedian.toFixed(0)} ms (argon2 alone ${median(unlock.argon2Ms).toFixed(0)} ms)\n`,
      );
      return {
        ratio: perOp.mixed.medianRepRatio,
        ratioMeaning:
          'encrypted vault time / plain SQLite time on the mixed message-store workload, median of paired repetitions (lower is better; total-time ratio in details)',
        target: '≤ 1.3',
        details: {
          unlockMsMedian: round2(unlockMedian),
          unlockMs: unlock.unlockMs.map(round2),
          argon2MsMedian: round2(median(unlock.argon2Ms)),
          kdf: DEFAULT_KDF_PARAMS,
          operations: perOp,
          workload: {
            initialBacklog: `${BACKLOG} inserts in transactions of ${BATCH} (counted in backlog)`,
            repetitions: REPS,
            backlog: `${REP_BACKLOG} inserts in transactions of ${BATCH} per repetition`,
            singles: `${REP_SINGLES} inserts, one transaction each, per repetition`,
            lookups: `${REP_LOOKUPS} primary-key lookups per repetition`,
            pages: `${REP_PAGES} × (newest page + one older page) of ${PAGE_SIZE} rows, keyset paging, per repetition`,
            mixed: `${REP_MIX_ROUNDS} × (100-row batch, 10 single inserts, 300 lookups, 30 page reads) per repetition`,
          },
          settings:
            'both: WAL, synchronous=NORMAL, secure_delete=ON, temp_store=MEMORY, cache 64 MiB; vault: SQLCipher 4 (AES-256-CBC + HMAC-SHA512, 4 KiB pages)',
        },
      };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export default vaultBench;

import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WrongPassphraseError } from '../errors.js';
import { setLogSink } from '../log.js';
import { readHeader } from './header.js';
import { createTestProfile } from '../test-support/vault.js';
import { VAULT_FILES, Vault } from './vault.js';

const here = dirname(fileURLToPath(import.meta.url));
const child = join(here, 'test-support', 'rekey-child.ts');
const RUNS = 12;
const ROWS = 12_000;
// Tiny Argon2 cost here so most of each passphrase change is the rekey itself (the window that matters).
const CRASH_KDF = { memoryKiB: 256, timeCost: 1, parallelism: 1 };
const PASS_A = 'rekey crash passphrase A';
const PASS_B = 'rekey crash passphrase B';

const profile = createTestProfile();
afterAll(() => profile.dispose());

function digest(vault: Vault): { count: number; hash: string } {
  const rows = vault.db.prepare('SELECT id, body FROM crash_rows ORDER BY id').all() as {
    id: number;
    body: string;
  }[];
  const hash = createHash('sha256');
  for (const row of rows) hash.update(`${row.id}:${row.body}\n`);
  return { count: rows.length, hash: hash.digest('hex') };
}

/** Unlocks with whichever of the two passphrases works; fails the test if neither does. */
async function openEither(): Promise<{ vault: Vault; which: 'A' | 'B' }> {
  for (const [which, pass] of [
    ['A', PASS_A],
    ['B', PASS_B],
  ] as const) {
    const vault = new Vault(profile.dir, { kdf: CRASH_KDF });
    try {
      await vault.unlock(Buffer.from(pass));
      return { vault, which };
    } catch (error) {
      vault.lock('shutdown');
      if (!(error instanceof WrongPassphraseError)) throw error;
    }
  }
  throw new Error('neither passphrase opens the vault');
}

function runChildAndKill(delayMs: number): Promise<{ lastLine: string; changes: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', child, profile.dir, PASS_A, PASS_B, String(CRASH_KDF.memoryKiB)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!timer && out.includes('ready\n')) timer = setTimeout(() => proc.kill('SIGKILL'), delayMs);
    });
    proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL') {
        reject(new Error(`child exited early (code ${code}): ${err.slice(0, 2000)}`));
        return;
      }
      const lines = out.trim().split('\n');
      resolve({ lastLine: lines.at(-1) ?? '', changes: lines.filter((l) => l === 'changed').length });
    });
  });
}

describe('rekey crash safety', () => {
  it(`kill -9 during passphrase changes (${RUNS} runs) always leaves a vault that opens with A or B, data intact`, async () => {
    setLogSink(() => {});
    const setup = new Vault(profile.dir, { kdf: CRASH_KDF });
    await setup.create(Buffer.from(PASS_A));
    setup.db.exec('CREATE TABLE crash_rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const insert = setup.db.prepare('INSERT INTO crash_rows (body) VALUES (?)');
    setup.db.transaction(() => {
      for (let i = 0; i < ROWS; i++) insert.run(randomBytes(300).toString('base64'));
    })();
    const expected = digest(setup);
    setup.lock('shutdown'); // the children open the profile next

    const outcomes: {
      delayMs: number;
      lastLine: string;
      changes: number;
      pendingBefore: boolean;
      walBefore: boolean;
      openedWith: string;
    }[] = [];
    for (let run = 0; run < RUNS; run++) {
      const delayMs = 5 + Math.floor(Math.random() * 600);
      const { lastLine, changes } = await runChildAndKill(delayMs);
      const pendingBefore = readHeader(join(profile.dir, VAULT_FILES.header))?.pending !== undefined;
      const walBefore = existsSync(join(profile.dir, `${VAULT_FILES.db}-wal`));
      const { vault, which } = await openEither();
      expect(digest(vault)).toEqual(expected);
      // Whatever the crash point, recovery commits a single key slot.
      expect(readHeader(join(profile.dir, VAULT_FILES.header))?.pending).toBeUndefined();
      vault.lock('shutdown');
      expect(existsSync(join(profile.dir, `${VAULT_FILES.db}-wal`))).toBe(false);
      outcomes.push({ delayMs, lastLine, changes, pendingBefore, walBefore, openedWith: which });
    }
    // Informational: where the kills landed ("change" = inside a passphrase change).
    process.stdout.write(`rekey crash outcomes: ${JSON.stringify(outcomes)}\n`);
    expect(outcomes).toHaveLength(RUNS);
  }, 120_000);
});

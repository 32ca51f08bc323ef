/**
 * kill -9 at random moments of a duress erase (20 runs): the profile is either the untouched vault (the
 * erase had not committed: the real passphrase opens it with every row) or erased (the real passphrase
 * opens nothing, the old key opens no copy of the DB, and the duress passphrase opens a fresh profile —
 * the next unlock finishes an interrupted erase). Never a half-erased vault that opens with the real one.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WrongPassphraseError } from '../errors.js';
import { setLogSink } from '../log.js';
import { readHeader } from './header.js';
import { createTestProfile, TEST_KDF } from '../test-support/vault.js';
import { decryptedCopy, vaultKeyFromHeader } from './test-support/decrypted-copy.js';
import { VAULT_FILES, Vault } from './vault.js';

const here = dirname(fileURLToPath(import.meta.url));
const child = join(here, 'test-support', 'duress-child.ts');
const RUNS = 20;
const ROWS = 3000;
const FILES = 60;
const REAL = 'real passphrase for the crash runs';
const DURESS = 'duress passphrase for the crash runs';
const MARKER = 'MARKER-crash-erase-51c0';

/**
 * Starts the child and kills it `delayMs` after it is about to unlock (or as soon as it is done, when
 * that comes first); whether it finished, and how long its unlock took when it did.
 */
function runChildAndKill(dir: string, delayMs: number): Promise<{ finished: boolean; unlockMs: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, DURESS], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    let readyAt = 0;
    let unlockMs = 0;
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!timer && out.includes('ready\n')) {
        readyAt = performance.now();
        timer = setTimeout(() => proc.kill('SIGKILL'), delayMs);
      }
      if (!unlockMs && out.includes('done\n')) {
        unlockMs = performance.now() - readyAt;
        proc.kill('SIGKILL');
      }
    });
    proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`child exited early (code ${code}): ${err.slice(0, 2000)}`));
      else resolve({ finished: out.includes('done\n'), unlockMs });
    });
  });
}

async function armedVault(dir: string): Promise<Buffer> {
  const vault = new Vault(dir, { kdf: TEST_KDF });
  await vault.create(Buffer.from(REAL));
  vault.db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = vault.db.prepare('INSERT INTO notes (body) VALUES (?)');
  vault.db.transaction(() => {
    for (let i = 0; i < ROWS; i++) insert.run(`${MARKER} ${randomBytes(120).toString('base64')}`);
  })();
  for (let i = 0; i < FILES; i++) vault.files.write(randomBytes(4096));
  await vault.setDuressPassphrase(Buffer.from(REAL), Buffer.from(DURESS));
  const key = await vaultKeyFromHeader(readHeader(join(dir, VAULT_FILES.header))!, REAL);
  vault.lock('shutdown');
  return key!;
}

describe('duress erase crash safety', () => {
  it(`kill -9 during a duress erase (${RUNS} runs) leaves the untouched vault or an unrecoverable one`, async () => {
    setLogSink(() => {});
    // One uninterrupted run measures how long the child's duress unlock takes on this machine now.
    const measure = createTestProfile();
    await armedVault(measure.dir);
    const { unlockMs } = await runChildAndKill(measure.dir, 60_000);
    measure.dispose();
    expect(unlockMs).toBeGreaterThan(0);
    const outcomes: { delayMs: number; finished: boolean; result: 'untouched' | 'erased' }[] = [];
    for (let run = 0; run < RUNS; run++) {
      const profile = createTestProfile();
      try {
        const oldKey = await armedVault(profile.dir);
        // Kills spread over the whole unlock (Argon2id, probe, erase, fresh DB) and a little after it.
        const delayMs = Math.floor(Math.random() * unlockMs * 1.2);
        const { finished } = await runChildAndKill(profile.dir, delayMs);
        const real = new Vault(profile.dir, { kdf: TEST_KDF });
        let result: 'untouched' | 'erased';
        try {
          await real.unlock(Buffer.from(REAL));
          // Opened with the real passphrase: then every row is there (nothing half-erased).
          expect(real.db.prepare('SELECT count(*) FROM notes').pluck().get()).toBe(ROWS);
          real.lock('shutdown');
          result = 'untouched';
        } catch (error) {
          real.lock('shutdown');
          expect(error).toBeInstanceOf(WrongPassphraseError);
          result = 'erased';
          // Killed after the commit point: no passphrase yields the old key any more (the real one was just
          // refused). The old pages may still be on disk until the next unlock finishes the erase (README);
          // after it, the old key opens no copy of whatever DB file is there.
          const coerced = new Vault(profile.dir, { kdf: TEST_KDF });
          await coerced.unlock(Buffer.from(DURESS));
          expect(
            coerced.db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'notes'").pluck().get(),
          ).toBe(0);
          coerced.lock('shutdown');
          expect(existsSync(join(profile.dir, 'vault.fresh.db'))).toBe(false);
          expect(decryptedCopy(join(profile.dir, VAULT_FILES.db), oldKey)).toBeUndefined();
        }
        if (finished) expect(result).toBe('erased');
        outcomes.push({ delayMs, finished, result });
      } finally {
        profile.dispose();
      }
    }
    // Informational: where the kills landed.
    process.stdout.write(
      `duress crash outcomes (unlock ${Math.round(unlockMs)} ms): ${JSON.stringify(outcomes)}\n`,
    );
    expect(outcomes).toHaveLength(RUNS);
  }, 240_000);
});

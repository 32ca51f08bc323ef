import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WrongPassphraseError } from '../errors.js';
import { setLogSink } from '../log.js';
import { hashTree } from '../test-support/files.js';
import { createTestProfile, TEST_KDF } from '../test-support/vault.js';
import { VAULT_FILES, Vault } from './vault.js';

const here = dirname(fileURLToPath(import.meta.url));
const profile = createTestProfile();
afterAll(() => profile.dispose());

function crashWhileOpen(rows: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(here, 'test-support', 'hold-open-child.ts'),
        profile.dir,
        'crash recovery',
        String(TEST_KDF.memoryKiB),
        String(rows),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) proc.kill('SIGKILL');
    });
    proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.on('error', reject);
    proc.on('exit', (_code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`child did not stay open: ${err.slice(0, 2000)}`)),
    );
  });
}

describe('crash while unlocked', () => {
  it('keeps committed rows after kill -9; a wrong passphrase on the hot WAL changes nothing', async () => {
    setLogSink(() => {});
    const setup = new Vault(profile.dir, { kdf: TEST_KDF });
    await setup.create(Buffer.from('crash recovery'));
    setup.db.exec('CREATE TABLE crash_notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    setup.lock('shutdown'); // the child opens the profile next

    await crashWhileOpen(200);
    expect(existsSync(join(profile.dir, `${VAULT_FILES.db}-wal`))).toBe(true);

    const before = hashTree(profile.dir);
    const wrong = new Vault(profile.dir, { kdf: TEST_KDF });
    await expect(wrong.unlock(Buffer.from('not it'))).rejects.toBeInstanceOf(WrongPassphraseError);
    const after = hashTree(profile.dir);
    for (const file of [VAULT_FILES.db, `${VAULT_FILES.db}-wal`, VAULT_FILES.header]) {
      expect(after.get(file), file).toBe(before.get(file));
    }
    // Only the throttle counter may change (the -shm index is rebuilt from the WAL, not from data).
    const changed = [...after.keys()].filter((k) => after.get(k) !== before.get(k));
    expect(changed.filter((f) => f !== VAULT_FILES.throttle && f !== `${VAULT_FILES.db}-shm`)).toEqual([]);
    process.stdout.write(`files changed by a wrong passphrase on a hot WAL: ${JSON.stringify(changed)}\n`);

    const vault = new Vault(profile.dir, { kdf: TEST_KDF });
    await vault.unlock(Buffer.from('crash recovery'));
    expect(vault.db.prepare('SELECT count(*) FROM crash_notes').pluck().get()).toBe(200);
    expect(vault.db.pragma('integrity_check', { simple: true })).toBe('ok');
    vault.lock();
    expect(existsSync(join(profile.dir, `${VAULT_FILES.db}-wal`))).toBe(false);
  }, 60_000);
});

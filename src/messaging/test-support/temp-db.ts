/**
 * A real Vault (SQLCipher file, every migration applied, low test KDF params) in a temp profile
 * directory: what the messaging store tests run on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Vault } from '../../vault/index.js';
import type { SqlDatabase } from '../../vault/sql.js';
import { TEST_KDF, TEST_PASSPHRASE } from './constants.js';

export interface TempVault {
  readonly db: SqlDatabase;
  readonly vault: Vault;
  readonly dir: string;
  /** Lock, then unlock a fresh Vault object on the same profile (a restart). */
  reopen(): Promise<SqlDatabase>;
  close(): void;
}

export async function createTempVault(prefix = 'carapace-msg-'): Promise<TempVault> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let vault = new Vault(dir, { kdf: TEST_KDF });
  await vault.create(Buffer.from(TEST_PASSPHRASE));
  return {
    get db() {
      return vault.db;
    },
    get vault() {
      return vault;
    },
    dir,
    async reopen() {
      if (vault.state === 'unlocked') vault.lock('user');
      vault = new Vault(dir, { kdf: TEST_KDF });
      await vault.unlock(Buffer.from(TEST_PASSPHRASE));
      return vault.db;
    },
    close() {
      if (vault.state === 'unlocked') vault.lock('shutdown');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

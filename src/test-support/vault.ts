/**
 * Tests, benches and test child processes only: a real Vault (SQLCipher file, every migration, Argon2id)
 * made fast with a low KDF cost.
 *
 * Naming scheme for every test helper in src/test-support: constants are `TEST_*`; `createTest<Thing>()`
 * makes a throw-away resource and returns a handle whose `dispose()` closes what it opened and deletes
 * its files (safe to call twice); plain verbs (`openTestDb`, `scanTree`) do one thing and own nothing.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Database, applyConnectionSettings, applyKey } from '../vault/driver.js';
import { Vault } from '../vault/index.js';
import type { KdfParams } from '../vault/kdf.js';
import { runMigrations, schemaVersion } from '../vault/migrate.js';
import { MIGRATIONS } from '../vault/migrations/index.js';
import type { SqlDatabase } from '../vault/sql.js';

/** Low Argon2 cost so a vault unlocks in milliseconds (never in the app; one vault test uses the defaults). */
export const TEST_KDF: KdfParams = Object.freeze({ memoryKiB: 1024, timeCost: 1, parallelism: 1 });
export const TEST_PASSPHRASE = 'carapace test passphrase';

export interface TestProfile {
  /** A profile directory that does not exist yet (the vault creates it, as in the app). */
  readonly dir: string;
  dispose(): void;
}

export function createTestProfile(prefix = 'carapace-vault-'): TestProfile {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return { dir: join(root, 'profile'), dispose: () => rmSync(root, { recursive: true, force: true }) };
}

export interface TestVault {
  /** The vault as it is now (a new object after `reopen`). */
  readonly vault: Vault;
  readonly db: SqlDatabase;
  readonly dir: string;
  /** Locks, then unlocks a fresh Vault object on the same profile (a restart). */
  reopen(): Promise<SqlDatabase>;
  /** Locks (if unlocked) and deletes the profile. */
  dispose(): void;
}

/** An unlocked vault, created with TEST_PASSPHRASE and TEST_KDF in a new temp profile. */
export async function createTestVault(prefix?: string): Promise<TestVault> {
  const profile = createTestProfile(prefix);
  let vault = new Vault(profile.dir, { kdf: TEST_KDF });
  await vault.create(Buffer.from(TEST_PASSPHRASE));
  return {
    get vault() {
      return vault;
    },
    get db() {
      return vault.db;
    },
    dir: profile.dir,
    async reopen() {
      if (vault.state === 'unlocked') vault.lock('user');
      vault = new Vault(profile.dir, { kdf: TEST_KDF });
      await vault.unlock(Buffer.from(TEST_PASSPHRASE));
      return vault.db;
    },
    dispose() {
      if (vault.state === 'unlocked') vault.lock('shutdown');
      profile.dispose();
    },
  };
}

export interface TestDb {
  readonly db: SqlDatabase;
  /** Closes the DB (if open) and deletes its profile. */
  dispose(): void;
}

/**
 * A SQLCipher DB (random key, the vault's connection settings) migrated to `version` only: the data an older
 * Carapace left, for a migration test to fill and then migrate.
 */
export function createTestDbAtVersion(version: number): TestDb {
  const profile = createTestProfile();
  mkdirSync(profile.dir, { recursive: true });
  const db = new Database(join(profile.dir, `v${version}.db`));
  applyKey(db, randomBytes(32));
  applyConnectionSettings(db);
  runMigrations(db, MIGRATIONS.slice(0, version));
  if (schemaVersion(db) !== version) throw new Error(`test DB is at version ${schemaVersion(db)}`);
  return {
    db,
    dispose() {
      if (db.open) db.close();
      profile.dispose();
    },
  };
}

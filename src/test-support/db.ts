/**
 * Tests and benches only: an encrypted database with the vault's schema but no vault around it (no
 * passphrase, no Argon2), for testing one store on its own. It is opened like the vault opens its DB:
 * the same SQLCipher driver, raw key, connection settings and migrations.
 */
import { join } from 'node:path';
import { applyConnectionSettings, applyKey, Database } from '../vault/driver.js';
import { runMigrations } from '../vault/migrate.js';
import type { SqlDatabase } from '../vault/sql.js';
import { createTestDir } from './files.js';

/** One fixed raw key, so a file can be reopened by path (as after a restart). */
const TEST_DB_KEY = Buffer.alloc(32, 0x5a);

/** Opens (creating if needed) the encrypted DB file and brings it to the latest schema. */
export function openTestDb(file: string): SqlDatabase {
  const db = new Database(file);
  applyKey(db, TEST_DB_KEY);
  applyConnectionSettings(db);
  runMigrations(db);
  return db;
}

export interface TestDb {
  readonly db: SqlDatabase;
  readonly dir: string;
  readonly path: string;
  /** Closes and reopens the same file (a restart). */
  reopen(): SqlDatabase;
  /** Closes the DB and keeps the file, to look at what is at rest. */
  close(): void;
  /** Closes the DB and deletes its directory. */
  dispose(): void;
}

export function createTestDb(prefix = 'carapace-db-'): TestDb {
  const dir = createTestDir(prefix);
  const path = join(dir.path, 'vault.db');
  let db = openTestDb(path);
  return {
    get db() {
      return db;
    },
    dir: dir.path,
    path,
    reopen() {
      if (db.open) db.close();
      db = openTestDb(path);
      return db;
    },
    close() {
      if (db.open) db.close();
    },
    dispose() {
      if (db.open) db.close();
      dir.dispose();
    },
  };
}

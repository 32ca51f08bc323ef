/**
 * A real SQLCipher database file in a temp directory with every migration applied: what the
 * messaging tests run on when they do not need a whole Vault (the Vault opens the same kind of file).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3-multiple-ciphers';
import { MIGRATIONS } from '../../vault/migrations/index.js';
import type { SqlDatabase } from '../../vault/sql.js';

export interface TempDb {
  readonly db: SqlDatabase;
  readonly dir: string;
  readonly path: string;
  /** Hex key, kept so a test can reopen the same file. */
  readonly keyHex: string;
  reopen(): SqlDatabase;
  close(): void;
}

export function openKeyed(path: string, keyHex: string): SqlDatabase {
  const db = new Database(path);
  db.pragma(`cipher='sqlcipher'`);
  db.pragma(`legacy=4`);
  db.pragma(`key="x'${keyHex}'"`);
  db.pragma('journal_mode = WAL');
  db.pragma('secure_delete = ON');
  db.pragma('foreign_keys = ON');
  return db;
}

export function migrate(db: SqlDatabase): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}

export function createTempDb(prefix = 'carapace-msg-'): TempDb {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const path = join(dir, 'vault.db');
  const keyHex = randomBytes(32).toString('hex');
  let db = openKeyed(path, keyHex);
  migrate(db);
  return {
    get db() {
      return db;
    },
    dir,
    path,
    keyHex,
    reopen() {
      if (db.open) db.close();
      db = openKeyed(path, keyHex);
      migrate(db);
      return db;
    },
    close() {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

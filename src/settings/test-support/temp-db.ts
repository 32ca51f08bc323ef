/**
 * Tests only: a real SQLCipher database file in a temp dir, keyed with a random raw key, with migration
 * 0003 applied. Stands in for the vault's `db` so the settings/account stores can be tested on their own.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { migration0003 } from '../../vault/migrations/0003-account-settings.js';
import type { SqlDatabase } from '../../vault/sql.js';

export interface TempDb {
  readonly db: SqlDatabase;
  readonly dir: string;
  readonly path: string;
  /** Close and reopen the same file with the same key (a restart). */
  reopen(): SqlDatabase;
  close(): void;
  dispose(): void;
}

function open(path: string, keyHex: string): SqlDatabase {
  const db = new Database(path);
  db.pragma(`cipher='sqlcipher'`);
  db.pragma(`legacy=4`);
  db.pragma(`key="x'${keyHex}'"`);
  db.pragma('secure_delete=ON');
  return db;
}

export function createTempDb(): TempDb {
  const dir = mkdtempSync(join(tmpdir(), 'carapace-h4-'));
  const path = join(dir, 'vault.db');
  const key = randomBytes(32);
  const keyHex = key.toString('hex');
  key.fill(0);
  let db = open(path, keyHex);
  db.exec('CREATE TABLE IF NOT EXISTS _probe (x)');
  migration0003.up(db);
  const handle: TempDb = {
    get db() {
      return db;
    },
    dir,
    path,
    reopen() {
      if (db.open) db.close();
      db = open(path, keyHex);
      return db;
    },
    close() {
      if (db.open) db.close();
    },
    dispose() {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}

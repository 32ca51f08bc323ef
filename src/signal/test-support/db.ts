/** Test helpers: a real SQLite file (SQLCipher build) with the signal-stores migration applied. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { migration0002 } from '../../vault/migrations/0002-signal-stores.js';
import type { SqlDatabase } from '../../vault/sql.js';

export interface TempDir {
  readonly path: string;
  cleanup(): void;
}

export function tempDir(prefix = 'carapace-signal-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Open (and on first open, migrate) an encrypted DB file keyed with a test key. */
export function openTestDb(file: string): SqlDatabase {
  const db = new Database(file);
  db.pragma(`cipher='sqlcipher'`);
  db.pragma(`key='test-only-key'`);
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version < 2) {
    db.transaction(() => migration0002.up(db))();
    db.pragma('user_version = 2');
  }
  return db;
}

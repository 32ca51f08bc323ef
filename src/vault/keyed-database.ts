/**
 * The vault's SQLCipher file under a raw key: probing a key without changing any file, opening the
 * read-write connection, and creating a fresh database on first run.
 */
import { closeSync, existsSync, openSync, unlinkSync } from 'node:fs';
import { VaultCorruptError } from '../errors.js';
import {
  Database,
  applyConnectionSettings,
  applyKey,
  keyIsCorrect,
  type KeyBufferTracker,
} from './driver.js';
import { writeHeader, type VaultHeader } from './header.js';
import { runMigrations } from './migrate.js';
import type { SqlDatabase } from './sql.js';

/**
 * Checks a key on a read-only connection: a wrong key fails on the first page (SQLITE_NOTADB, HMAC
 * mismatch) and a read-only connection never writes or checkpoints, so no file changes.
 */
export function verifyKey(dbPath: string, key: Buffer, tracker: KeyBufferTracker): boolean {
  const probe = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    applyKey(probe, key, tracker);
    return keyIsCorrect(probe);
  } finally {
    probe.close();
  }
}

export function openReadWrite(dbPath: string, key: Buffer, tracker: KeyBufferTracker): SqlDatabase {
  const db = new Database(dbPath, { fileMustExist: true });
  try {
    applyKey(db, key, tracker);
    if (!keyIsCorrect(db)) throw new VaultCorruptError('The vault key stopped working.');
    applyConnectionSettings(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * First run: a fresh DB under `key`, migrated, then the header that makes it "exist". On failure the key
 * is zeroed and the half-made DB files are removed.
 */
export function createDatabase(
  paths: { readonly db: string; readonly header: string },
  key: Buffer,
  header: VaultHeader,
  createdAt: number,
  tracker: KeyBufferTracker,
): SqlDatabase {
  // No header means no usable vault: anything here is debris of an interrupted first run.
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    if (existsSync(paths.db + suffix)) unlinkSync(paths.db + suffix);
  }
  // SQLite creates files 0644 and gives -wal/-shm the DB file's mode: start from an empty 0600 file.
  closeSync(openSync(paths.db, 'wx', 0o600));
  const db = new Database(paths.db);
  try {
    applyKey(db, key, tracker);
    if (!keyIsCorrect(db)) throw new VaultCorruptError('Could not key the new vault.');
    applyConnectionSettings(db);
    runMigrations(db);
    const setMeta = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
    setMeta.run('created_at', String(createdAt));
    setMeta.run('insecure_no_passphrase', header.current.kind === 'keyfile' ? '1' : '0');
    db.pragma('wal_checkpoint(TRUNCATE)');
    writeHeader(paths.header, header);
  } catch (error) {
    db.close();
    key.fill(0);
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(paths.db + suffix)) unlinkSync(paths.db + suffix);
    }
    throw error;
  }
  return db;
}

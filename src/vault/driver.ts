/**
 * The SQLCipher driver: better-sqlite3-multiple-ciphers, keyed with a raw 256-bit key.
 * (Its types come from the shim in types/, since the package's exports hide its index.d.ts.)
 */
import BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import type { SqlDatabase } from './sql.js';

/** The better-sqlite3-multiple-ciphers constructor (use it for plain DBs in tests and benches too). */
export const Database = BetterSqlite3;

export const KEY_BYTES = 32;
const HEX = '0123456789abcdef';

/**
 * `x'<64 hex digits>'` as bytes, built without an intermediate JS string so the caller can zero it.
 * SQLCipher treats a key of exactly this shape as the raw 256-bit key (no PBKDF2 on top).
 */
function rawKeySpec(key: Buffer): Buffer {
  if (key.length !== KEY_BYTES) throw new RangeError('vault key must be 32 bytes');
  const out = Buffer.alloc(key.length * 2 + 3);
  out[0] = 0x78; // x
  out[1] = 0x27; // '
  for (let i = 0; i < key.length; i++) {
    const byte = key[i] ?? 0;
    out[2 + i * 2] = HEX.charCodeAt(byte >> 4);
    out[3 + i * 2] = HEX.charCodeAt(byte & 15);
  }
  out[out.length - 1] = 0x27;
  return out;
}

/** SQLCipher 4 format: AES-256-CBC + HMAC-SHA512 per page, 4096-byte pages. Must precede the key. */
function selectCipher(db: SqlDatabase): void {
  db.pragma(`cipher = 'sqlcipher'`);
  db.pragma('legacy = 4');
}

/** Receives every temporary key Buffer so tests can check it was zeroed. */
export type KeyBufferTracker = (buffer: Buffer) => void;

/** Applies a raw key to a fresh connection. The temporary key spec is zeroed before returning. */
export function applyKey(db: SqlDatabase, key: Buffer, track?: KeyBufferTracker): void {
  selectCipher(db);
  const spec = rawKeySpec(key);
  track?.(spec);
  try {
    db.key(spec);
  } finally {
    spec.fill(0);
  }
}

/** Re-encrypts every page under a new raw key (one SQLite transaction). */
export function applyRekey(db: SqlDatabase, key: Buffer, track?: KeyBufferTracker): void {
  const spec = rawKeySpec(key);
  track?.(spec);
  try {
    db.rekey(spec);
  } finally {
    spec.fill(0);
  }
}

/** `PRAGMA key` never fails by itself; the first read does. A wrong key gives SQLITE_NOTADB. */
export function keyIsCorrect(db: SqlDatabase): boolean {
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'SQLITE_NOTADB') return false;
    throw error;
  }
}

/**
 * Connection settings shared by the vault and the bench's plain baseline.
 * - WAL: readers never block the writer; one fsync per checkpoint instead of per commit.
 * - synchronous=NORMAL: in WAL mode a process crash never loses a committed transaction; a power loss
 *   may roll back the last few commits but never corrupts the file.
 * - secure_delete: freed pages are zeroed (inside the encryption, so the file never keeps old rows).
 * - temp_store=MEMORY: sorts and temp tables never reach an (unencrypted) temp file.
 * - cache_size 64 MiB: a desktop message store's working set stays decrypted in SQLite's page cache, so
 *   reads mostly skip AES+HMAC (each 4 KiB page costs ~10–30 µs to decrypt or encrypt here). The cache
 *   lives in the native heap, is allocated only as pages are read, and is freed when the DB closes.
 * What encryption costs is mostly writes: every dirty page is encrypted once into the WAL and again at
 * checkpoint, so batching inserts into one transaction (as the receive pipeline does) matters most.
 */
export function applyConnectionSettings(db: SqlDatabase): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('secure_delete = ON');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -65536');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
}

export type { SqlDatabase };

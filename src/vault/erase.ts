/**
 * Crypto-erase of a profile's vault (the duress passphrase and the panic wipe). The vault key exists on
 * disk only wrapped in the header, so replacing the header is the ONE commit point: before it the vault is
 * untouched, after it no passphrase opens it. Then the old header's blocks, the SQLCipher header pages
 * (salt and first pages of the DB, its WAL and shared memory) are overwritten, and every vault file is
 * deleted, with fsyncs. On SSDs and copy-on-write file systems old blocks may survive the overwrite; they
 * are ciphertext under a key that no longer exists anywhere.
 *
 * The duress erase must take as long as a normal unlock, so the fresh vault it opens is built before the
 * passphrase is known: EVERY passphrase unlock builds a spare, empty, migrated DB under a random key while
 * Argon2id runs on the thread pool (buildSpare), and a normal unlock deletes it. A duress unlock renames it
 * to `vault.fresh.db`, commits a header holding the spare's key wrapped under the duress passphrase,
 * destroys the old vault and renames the spare into place (finishDuressErase). Killed after the commit, the
 * next unlock finds `vault.db` does not open under the header's key but `vault.fresh.db` does, and
 * finishes; killed before, `vault.fresh.db` is debris of a vault that still opens normally.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { Database, KEY_BYTES, applyConnectionSettings, applyKey, type KeyBufferTracker } from './driver.js';
import { fsyncDir, TEMP_SUFFIX, unlinkIfPresent } from './fs-util.js';
import { writeHeader, type VaultHeader } from './header.js';
import { runMigrations } from './migrate.js';

/** The SQLCipher file header (salt) and the first pages, where the schema and the first rows live. */
const HEAD_BYTES = 64 * 1024;

/** Where a duress erase keeps the fresh vault between its commit point and its end. */
export const FRESH_DB = 'vault.fresh.db';
const SPARE_PREFIX = '.vault.spare-';
/** The old vault's files, moved aside by a duress erase until they are destroyed (right after it). */
const ERASED_PREFIX = '.vault.erased-';

/** The files a vault keeps beside its header. */
export interface VaultPaths {
  readonly db: string;
  /** The fresh vault of an unfinished duress erase (FRESH_DB). */
  readonly fresh: string;
  readonly keyFile: string;
  readonly throttle: string;
  readonly filesDir: string;
  readonly panicOptIn: string;
}

function overwrite(fd: number, length: number): void {
  const noise = randomBytes(length);
  let written = 0;
  while (written < length) written += writeSync(fd, noise, written, length - written, written);
  fsyncSync(fd);
}

/** Overwrites the first `limit` bytes of a file with random bytes, fsyncs, then unlinks it. */
function destroyFile(path: string, limit: number): void {
  if (!existsSync(path)) return;
  const fd = openSync(path, 'r+');
  try {
    overwrite(fd, Math.min(fstatSync(fd).size, limit));
  } finally {
    closeSync(fd);
  }
  unlinkSync(path);
}

/**
 * The commit point: the header becomes `next` (a fresh profile's) or disappears (panic wipe), atomically.
 * The old header's inode is kept open across the replace; the returned function overwrites it (now or
 * after the unlock answered), so its wrapped key does not linger in freed blocks of a file system that
 * writes in place.
 */
export function commitErase(headerPath: string, next: VaultHeader | undefined): () => void {
  const old = existsSync(headerPath) ? openSync(headerPath, 'r+') : undefined;
  try {
    if (next) writeHeader(headerPath, next);
    else if (old !== undefined) {
      unlinkSync(headerPath);
      fsyncDir(dirname(headerPath));
    }
  } catch (error) {
    if (old !== undefined) closeSync(old);
    throw error;
  }
  return () => {
    if (old === undefined) return;
    try {
      overwrite(old, fstatSync(old).size);
    } finally {
      closeSync(old);
    }
  };
}

/**
 * After the commit point (or on debris of an interrupted one): destroys every vault file but the header —
 * and but the fresh vault of a duress erase when `keepFresh`.
 */
export function destroyVaultData(paths: VaultPaths, keepFresh = false): void {
  for (const suffix of ['-wal', '-shm', '-journal', '']) destroyFile(paths.db + suffix, HEAD_BYTES);
  if (!keepFresh) destroyFile(paths.fresh, HEAD_BYTES);
  removeSpares(dirname(paths.db));
  destroyFile(paths.keyFile, HEAD_BYTES);
  for (const path of [paths.throttle, paths.panicOptIn]) if (existsSync(path)) unlinkSync(path);
  if (existsSync(paths.filesDir)) {
    // Each file is AES-GCM under a key that was in the DB: deleting is enough. (A deleted file the
    // background shredder is busy with may vanish meanwhile.)
    for (const name of readdirSync(paths.filesDir)) unlinkIfPresent(join(paths.filesDir, name));
    fsyncDir(paths.filesDir);
    rmdirSync(paths.filesDir);
  }
  fsyncDir(dirname(paths.db));
}

/** A spare vault: an empty, migrated DB (WAL checkpointed, closed) under a random key, at a temp path. */
export interface Spare {
  readonly path: string;
  readonly key: Buffer;
}

/** Builds a spare beside the vault (see the module comment); the caller zeroes its key. */
export function buildSpare(profileDir: string, createdAt: number, track: KeyBufferTracker): Spare {
  const path = join(profileDir, `${SPARE_PREFIX}${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  const key = randomBytes(KEY_BYTES);
  track(key);
  closeSync(openSync(path, 'wx', 0o600));
  try {
    const db = new Database(path);
    try {
      applyKey(db, key, track);
      applyConnectionSettings(db);
      runMigrations(db);
      const setMeta = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
      setMeta.run('created_at', String(createdAt));
      setMeta.run('insecure_no_passphrase', '0');
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
  } catch (error) {
    removeSpares(profileDir);
    throw error;
  }
  return { path, key };
}

/**
 * Deletes every spare (this unlock's and any a crash left behind: they hold nothing but empty tables) and
 * destroys what a duress erase moved aside and did not get to destroy.
 */
function removeSpares(profileDir: string): void {
  for (const name of readdirSync(profileDir)) {
    if (name.startsWith(SPARE_PREFIX)) unlinkSync(join(profileDir, name));
  }
  destroyErased(profileDir);
}

/**
 * Duress, right after the commit point, with renames only: the old vault's files move aside and the fresh
 * vault takes `vault.db`'s place (one directory fsync); destroyErased does the slow part afterwards.
 */
export function swapInFresh(paths: VaultPaths): void {
  const dir = dirname(paths.db);
  const tag = randomBytes(4).toString('hex');
  const suffixes = ['-wal', '-shm', '-journal', ''].map((suffix) => paths.db + suffix);
  for (const path of [...suffixes, paths.keyFile, paths.throttle, paths.panicOptIn, paths.filesDir]) {
    if (existsSync(path)) renameSync(path, join(dir, `${ERASED_PREFIX}${tag}-${basename(path)}`));
  }
  renameSync(paths.fresh, paths.db);
  fsyncDir(dir);
}

/** Destroys the files swapInFresh moved aside: first pages overwritten, then deleted; the file store deleted. */
export function destroyErased(profileDir: string): void {
  let found = false;
  for (const name of readdirSync(profileDir)) {
    if (!name.startsWith(ERASED_PREFIX)) continue;
    found = true;
    const path = join(profileDir, name);
    if (statSync(path).isDirectory()) {
      for (const file of readdirSync(path)) unlinkSync(join(path, file));
      rmdirSync(path);
    } else destroyFile(path, HEAD_BYTES);
  }
  if (found) fsyncDir(profileDir);
}

/**
 * Duress, before the commit point: the spare becomes `vault.fresh.db` (durable with the commit, so a crash
 * right after it finds the file). Then the caller commits a header naming the spare's key.
 */
export function stageFresh(spare: Spare, paths: VaultPaths): void {
  // No fsync of its own: the commit's header replace fsyncs this directory after it.
  renameSync(spare.path, paths.fresh);
}

/** After the commit point: destroys the old vault and puts the fresh one in its place. */
export function finishDuressErase(paths: VaultPaths): void {
  destroyVaultData(paths, true);
  renameSync(paths.fresh, paths.db);
  fsyncDir(dirname(paths.db));
}

/**
 * No duress: this unlock's spare goes, and with `staleFresh` (vault.db opened under the header's key) the
 * debris of an erase that never committed.
 */
export function discardSpares(paths: VaultPaths, staleFresh: boolean): void {
  removeSpares(dirname(paths.db));
  if (staleFresh && existsSync(paths.fresh)) unlinkSync(paths.fresh);
}

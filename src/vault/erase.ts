/**
 * Crypto-erase of a profile's vault (the duress passphrase and the panic wipe). The vault key exists on
 * disk only wrapped in the header, so replacing the header is the ONE commit point: before it the vault is
 * untouched, after it no passphrase opens it. Then the old header's blocks, the SQLCipher header pages
 * (salt and first pages of the DB, its WAL and shared memory) are overwritten, and every vault file is
 * deleted, with fsyncs. On SSDs and copy-on-write file systems old blocks may survive the overwrite; they
 * are ciphertext under a key that no longer exists anywhere.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  openSync,
  readdirSync,
  rmdirSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fsyncDir } from './fs-util.js';
import { writeHeader, type VaultHeader } from './header.js';

/** The SQLCipher file header (salt) and the first pages, where the schema and the first rows live. */
const HEAD_BYTES = 64 * 1024;

/** The files a vault keeps beside its header. */
export interface VaultPaths {
  readonly db: string;
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
 * The old header's inode is kept open across the replace and overwritten afterwards, so its wrapped key
 * does not linger in freed blocks of a file system that writes in place.
 */
export function commitErase(headerPath: string, next: VaultHeader | undefined): void {
  const old = existsSync(headerPath) ? openSync(headerPath, 'r+') : undefined;
  try {
    if (next) writeHeader(headerPath, next);
    else if (old !== undefined) {
      unlinkSync(headerPath);
      fsyncDir(dirname(headerPath));
    }
    if (old !== undefined) overwrite(old, fstatSync(old).size);
  } finally {
    if (old !== undefined) closeSync(old);
  }
}

/** After the commit point (or on debris of an interrupted one): destroys every vault file but the header. */
export function destroyVaultData(paths: VaultPaths): void {
  for (const suffix of ['-wal', '-shm', '-journal', '']) destroyFile(paths.db + suffix, HEAD_BYTES);
  destroyFile(paths.keyFile, HEAD_BYTES);
  for (const path of [paths.throttle, paths.panicOptIn]) if (existsSync(path)) unlinkSync(path);
  if (existsSync(paths.filesDir)) {
    // Each file is AES-GCM under a key that was in the DB: deleting is enough.
    for (const name of readdirSync(paths.filesDir)) unlinkSync(join(paths.filesDir, name));
    fsyncDir(paths.filesDir);
    rmdirSync(paths.filesDir);
  }
  fsyncDir(dirname(paths.db));
}

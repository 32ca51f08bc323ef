/** Small durable-file helpers: atomic replace (temp + fsync + rename + directory fsync) and shredding. */
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** Suffix of every temp file we create; leftovers from a crash are removed on the next unlock. */
export const TEMP_SUFFIX = '.tmp';

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeAllSync(fd: number, data: Uint8Array): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
}

/**
 * Replaces `path` with `data` so a crash at any moment leaves either the old or the new content.
 * The temp file holds exactly `data` (callers pass ciphertext or non-secret bytes only).
 */
export function writeFileAtomic(path: string, data: Uint8Array, mode = 0o600): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  const fd = openSync(temp, 'wx', mode);
  try {
    writeAllSync(fd, data);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  renameSync(temp, path);
  fsyncDir(dir);
}

/** A file-system error saying the file (or directory) is not there. */
export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Unlinks `path`; a file that is already gone (another remover got there first) is fine. */
export function unlinkIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/**
 * Overwrites a file with random bytes, fsyncs, then unlinks it, before returning (for key material;
 * deleted vault files go to the BackgroundShredder instead). On SSDs, copy-on-write and journaling
 * file systems the old blocks may survive; what really protects removed data is that its key is gone
 * (crypto-shredding) — this is a best-effort extra.
 */
export function shredFile(path: string): void {
  if (!existsSync(path)) return;
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const chunk = 64 * 1024;
    for (let pos = 0; pos < size; pos += chunk) {
      const noise = randomBytes(Math.min(chunk, size - pos));
      let written = 0;
      while (written < noise.length)
        written += writeSync(fd, noise, written, noise.length - written, pos + written);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  unlinkSync(path);
  fsyncDir(dirname(path));
}

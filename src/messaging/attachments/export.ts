/**
 * Saving a downloaded attachment to a path the user chose in the platform's save dialog. The plaintext is
 * decrypted from the vault and written a piece at a time — never the whole file in memory, and never
 * through the renderer — into a hidden temp file beside the destination, fsynced, then renamed over it: a
 * failure (a full disk, the vault locking mid-way) leaves nothing under the chosen name, and the temp
 * file is removed. The saved file is the user's own (0600: readable by them alone).
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { wipeAndRelease } from '../../bytes/release.js';
import { isCarapaceError, SaveFailedError } from '../../errors.js';
import type { EncryptedFileStore } from '../../vault/file-store.js';
import { STAGING_LIMITS } from './limits.js';

/** Plaintext per read and write: four vault segments, the size the UI boundary uses too. */
const EXPORT_PIECE_BYTES = STAGING_LIMITS.chunkBytes;

export async function exportVaultFile(
  files: EncryptedFileStore,
  fileId: string,
  destination: string,
): Promise<void> {
  const size = files.size(fileId);
  const temp = join(
    dirname(destination),
    // Cut, so that the temp name stays within a file system's 255-byte limit for any chosen name.
    `.${basename(destination).slice(0, 100)}.${randomBytes(6).toString('hex')}.partial`,
  );
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      for (let offset = 0; offset < size; offset += EXPORT_PIECE_BYTES) {
        // Each piece is read afresh (no key held across the await): a lock meanwhile fails the next read.
        const piece = files.readRange(fileId, offset, Math.min(EXPORT_PIECE_BYTES, size - offset));
        try {
          await handle.write(piece, 0, piece.length, offset);
        } finally {
          wipeAndRelease(piece);
        }
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, destination);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    // The vault's own failures (locked, damaged) keep their meaning; the file system's are one typed error.
    throw isCarapaceError(error) ? error : new SaveFailedError({ cause: error });
  }
}

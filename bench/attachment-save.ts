/**
 * The attachment bench's save measurement: a downloaded file written to a place the user chose
 * (attachments.saveToDisk → src/messaging/attachments/export.ts), with its time and its peak memory — which
 * should not grow with the file, since it is decrypted and written a piece at a time.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { exportVaultFile } from '../src/messaging/attachments/export.js';
import type { Vault } from '../src/vault/index.js';
import { peakGrowth, type Peaks } from './memory-peaks.js';

export interface SaveRun {
  readonly ms: number;
  readonly peak: Peaks;
}

/** Stores `size` bytes (chunks of `block`) in the vault, then measures saving them into `dir`. */
export async function saveRun(vault: Vault, block: Buffer, size: number, dir: string): Promise<SaveRun> {
  const writer = vault.files.createWriter();
  for (let offset = 0; offset < size; offset += block.length) {
    writer.write(block.subarray(0, Math.min(block.length, size - offset)));
  }
  const fileId = writer.commit();
  const destination = join(dir, 'saved.bin');
  let ms = 0;
  const peak = await peakGrowth(async () => {
    const start = performance.now();
    await exportVaultFile(vault.files, fileId, destination);
    ms = performance.now() - start;
  });
  rmSync(destination);
  vault.files.delete(fileId);
  await vault.deletedFilesShredded();
  return { ms, peak };
}

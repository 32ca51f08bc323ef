/**
 * Saving a vault file to a user-chosen path on real files: the bytes arrive whole and private, and a save
 * cut short — the vault locked mid-way, a place that cannot be written — leaves nothing under the chosen
 * name and no temp file beside it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestVault, type TestVault } from '../../test-support/vault.js';
import { exportVaultFile } from './export.js';

describe('exportVaultFile', () => {
  let temp: TestVault;
  let folder: string;
  beforeEach(async () => {
    temp = await createTestVault();
    folder = mkdtempSync(join(tmpdir(), 'carapace-export-'));
  });
  afterEach(() => {
    temp.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  function storedFile(bytes: Buffer): string {
    const writer = temp.vault.files.createWriter();
    for (let offset = 0; offset < bytes.length; offset += 300_000) {
      writer.write(bytes.subarray(offset, offset + 300_000));
    }
    return writer.commit();
  }

  it('writes the plaintext whole, readable by the user alone, with nothing else left in the folder', async () => {
    const bytes = randomBytes(2 * 1024 * 1024 + 777);
    const destination = join(folder, 'movie.mov');
    await exportVaultFile(temp.vault.files, storedFile(bytes), destination);
    expect(readFileSync(destination).equals(bytes)).toBe(true);
    if (process.platform !== 'win32') expect(statSync(destination).mode & 0o777).toBe(0o600);
    expect(readdirSync(folder)).toEqual(['movie.mov']);
  });

  it('replaces a file the user chose to overwrite', async () => {
    const destination = join(folder, 'notes.txt');
    await exportVaultFile(temp.vault.files, storedFile(Buffer.from('old and longer text')), destination);
    await exportVaultFile(temp.vault.files, storedFile(Buffer.from('new')), destination);
    expect(readFileSync(destination, 'utf8')).toBe('new');
    expect(readdirSync(folder)).toEqual(['notes.txt']);
  });

  it('a lock mid-way fails it as VAULT_LOCKED and removes the partial file', async () => {
    const fileId = storedFile(randomBytes(16 * 1024 * 1024));
    const destination = join(folder, 'big.bin');
    const saving = exportVaultFile(temp.vault.files, fileId, destination);
    // Once the first piece is on disk (the temp file beside the destination has bytes), lock.
    const written = (): number =>
      readdirSync(folder).reduce((n, name) => n + statSync(join(folder, name)).size, 0);
    while (written() === 0) await new Promise((resolve) => setImmediate(resolve));
    temp.vault.lock();
    await expect(saving).rejects.toMatchObject({ code: 'VAULT_LOCKED' });
    expect(readdirSync(folder)).toEqual([]);
  });

  it('saves under a name as long as file systems allow (its temp name stays within the limit)', async () => {
    const name = `${'n'.repeat(246)}.txt`;
    await exportVaultFile(temp.vault.files, storedFile(Buffer.from('long')), join(folder, name));
    expect(readdirSync(folder)).toEqual([name]);
  });

  it('a place that cannot be written is SAVE_FAILED', async () => {
    const fileId = storedFile(Buffer.from('hello'));
    await expect(
      exportVaultFile(temp.vault.files, fileId, join(folder, 'gone', 'a.txt')),
    ).rejects.toMatchObject({
      code: 'SAVE_FAILED',
    });
    expect(readdirSync(folder)).toEqual([]);
  });
});

import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError, VaultCorruptError, VaultFileNotFoundError } from '../errors.js';
import { setLogSink } from '../log.js';
import { createTestProfile, TEST_KDF, type TestProfile } from '../test-support/vault.js';
import { VAULT_FILES, Vault } from './vault.js';

let profile: TestProfile;
let vault: Vault;
const filesDir = (): string => join(profile.dir, VAULT_FILES.filesDir);

beforeEach(async () => {
  setLogSink(() => {});
  profile = createTestProfile();
  vault = new Vault(profile.dir, { kdf: TEST_KDF });
  await vault.create(Buffer.from('file store tests'));
});
afterEach(() => {
  vault.lock();
  profile.dispose();
});

describe('EncryptedFileStore', () => {
  it('round-trips bytes of several sizes, ciphertext on disk only', () => {
    for (const size of [0, 1, 15, 16, 4096, 300_000]) {
      const bytes = randomBytes(size);
      const id = vault.files.write(bytes);
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(vault.files.has(id)).toBe(true);
      expect(vault.files.size(id)).toBe(size);
      expect(vault.files.read(id).equals(bytes)).toBe(true);
      const onDisk = readFileSync(join(filesDir(), id));
      expect(onDisk.length).toBe(size + 4 + 12 + 16);
      if (size >= 16) expect(onDisk.includes(bytes.subarray(0, 16))).toBe(false);
    }
    // No temp files are left behind.
    expect(readdirSync(filesDir()).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('detects tampering, truncation and swapped files with a typed error', () => {
    const a = vault.files.write(Buffer.from('alpha attachment'));
    const b = vault.files.write(Buffer.from('bravo attachment'));
    const pathA = join(filesDir(), a);
    const pathB = join(filesDir(), b);
    const original = readFileSync(pathA);

    const flipped = Buffer.from(original);
    flipped[20] = (flipped[20] ?? 0) ^ 0x01;
    writeFileSync(pathA, flipped);
    expect(() => vault.files.read(a)).toThrow(VaultCorruptError);

    writeFileSync(pathA, original.subarray(0, 10));
    expect(() => vault.files.read(a)).toThrow(VaultCorruptError);

    // Same length, other file's ciphertext: the AAD binds ciphertext to its id.
    writeFileSync(pathA, readFileSync(pathB));
    expect(() => vault.files.read(a)).toThrow(VaultCorruptError);

    writeFileSync(pathA, original);
    expect(vault.files.read(a).toString()).toBe('alpha attachment');
  });

  it('delete removes the key row at once and the file in the background; bad ids are typed errors', async () => {
    const id = vault.files.write(Buffer.from('to be deleted'));
    expect(existsSync(join(filesDir(), id))).toBe(true);
    vault.files.delete(id);
    expect(vault.files.has(id)).toBe(false);
    await vault.deletedFilesShredded();
    expect(existsSync(join(filesDir(), id))).toBe(false);
    expect(vault.db.prepare('SELECT count(*) FROM files WHERE id = ?').pluck().get(id)).toBe(0);
    expect(() => vault.files.read(id)).toThrow(VaultFileNotFoundError);
    expect(() => vault.files.delete(id)).not.toThrow();
    expect(() => vault.files.read('../vault.header.json')).toThrow(ValidationError);
    expect(() => vault.files.has('ABC')).toThrow(ValidationError);
  });

  it('a delete inside a rolled-back transaction keeps the file; a committed one removes it', async () => {
    const id = vault.files.write(Buffer.from('transactional'));
    expect(() =>
      vault.db.transaction(() => {
        vault.files.delete(id);
        throw new Error('roll back');
      })(),
    ).toThrow('roll back');
    expect(vault.files.read(id).toString()).toBe('transactional');

    vault.db.transaction(() => vault.files.delete(id))();
    vault.files.has(id); // the next store call after commit hands queued files to the shredder
    await vault.deletedFilesShredded();
    expect(existsSync(join(filesDir(), id))).toBe(false);
  });

  it('deleting a large file does not hold the event loop: its ciphertext is overwritten, then unlinked, in the background', async () => {
    const writer = vault.files.createWriter();
    const piece = randomBytes(1024 * 1024);
    for (let i = 0; i < 16; i++) writer.write(piece);
    const id = writer.commit();
    const path = join(filesDir(), id);
    // A second name for the same inode shows what the shredder leaves in its blocks.
    linkSync(path, `${path}.witness`);
    const ciphertext = readFileSync(path);

    vault.files.delete(id);
    expect(vault.files.has(id)).toBe(false); // the key is gone at once (crypto-shredding)…
    expect(readFileSync(path).equals(ciphertext)).toBe(true); // …the file's 16 MiB are not yet touched
    await vault.deletedFilesShredded();

    expect(existsSync(path)).toBe(false);
    const left = readFileSync(`${path}.witness`);
    expect(left.length).toBe(ciphertext.length);
    expect(left.subarray(0, 4096).equals(ciphertext.subarray(0, 4096))).toBe(false);
    expect(left.subarray(-4096).equals(ciphertext.subarray(-4096))).toBe(false);
    unlinkSync(`${path}.witness`);
  });

  it('a shred cut short (quit or crash before the background finished) is completed by the next unlock', async () => {
    const id = vault.files.write(Buffer.from('deleted, then the app quit'));
    const path = join(filesDir(), id);
    const copy = readFileSync(path);
    vault.files.delete(id);
    await vault.deletedFilesShredded();
    writeFileSync(path, copy); // as if the process had died before the shredder got to it
    vault.lock();
    await vault.unlock(Buffer.from('file store tests'));
    await vault.deletedFilesShredded();
    expect(existsSync(path)).toBe(false);
  });

  it('removes crash debris on unlock: temp files and ciphertexts without a key row', async () => {
    const kept = vault.files.write(Buffer.from('kept'));
    vault.lock();
    const orphan = randomBytes(16).toString('hex');
    writeFileSync(join(filesDir(), orphan), randomBytes(64));
    writeFileSync(join(filesDir(), `.${orphan}.abcdef.tmp`), randomBytes(64));
    await vault.unlock(Buffer.from('file store tests'));
    await vault.deletedFilesShredded();
    expect(readdirSync(filesDir()).sort()).toEqual([kept]);
    expect(vault.files.read(kept).toString()).toBe('kept');
  });

  it('a missing ciphertext with a key row is reported as corruption, not a crash', () => {
    const id = vault.files.write(Buffer.from('gone'));
    writeFileSync(join(filesDir(), id), '');
    expect(() => vault.files.read(id)).toThrow(VaultCorruptError);
  });
});

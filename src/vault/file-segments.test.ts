/**
 * Streamed vault files (segmented CPF2 format): written a chunk at a time, read whole, by range or by
 * segment; tampering, reordering and truncation are typed corruption; an unfinished write leaves nothing.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultCorruptError, VaultLockedError } from '../errors.js';
import { setLogSink } from '../log.js';
import { createTestProfile, TEST_KDF, type TestProfile } from '../test-support/vault.js';
import { SEGMENT_BYTES, SEGMENT_HEADER_BYTES } from './file-segments.js';
import { VAULT_FILES, Vault } from './vault.js';

let profile: TestProfile;
let vault: Vault;
const filesDir = (): string => join(profile.dir, VAULT_FILES.filesDir);
const temps = (): string[] => readdirSync(filesDir()).filter((n) => n.endsWith('.tmp'));

beforeEach(async () => {
  setLogSink(() => {});
  profile = createTestProfile();
  vault = new Vault(profile.dir, { kdf: TEST_KDF });
  await vault.create(Buffer.from('segmented file tests'));
});
afterEach(() => {
  if (vault.state === 'unlocked') vault.lock();
  profile.dispose();
});

/** Writes `bytes` through a writer in uneven pieces (never a multiple of 16 or of a segment). */
function writeStreamed(bytes: Buffer): string {
  const writer = vault.files.createWriter();
  for (
    let offset = 0, step = 1;
    offset < bytes.length;
    offset += step, step = (step * 7 + 12_345) % 200_003
  ) {
    writer.write(bytes.subarray(offset, offset + step));
  }
  return writer.commit();
}

describe('EncryptedFileStore streamed files', () => {
  it('round-trips sizes around segment boundaries; whole, by range and by segment; ciphertext only on disk', () => {
    for (const size of [0, 1, SEGMENT_BYTES - 1, SEGMENT_BYTES, SEGMENT_BYTES + 1, 3 * SEGMENT_BYTES + 17]) {
      const bytes = randomBytes(size);
      const id = writeStreamed(bytes);
      expect(vault.files.size(id)).toBe(size);
      expect(vault.files.read(id).equals(bytes)).toBe(true);
      const onDisk = readFileSync(join(filesDir(), id));
      expect(onDisk.length).toBe(
        SEGMENT_HEADER_BYTES + size + Math.max(1, Math.ceil(size / SEGMENT_BYTES)) * 16,
      );
      if (size >= 32) expect(onDisk.includes(bytes.subarray(0, 32))).toBe(false);
      const pieces = [...vault.files.chunks(id)];
      expect(pieces.every((p) => p.plain.length <= SEGMENT_BYTES)).toBe(true);
      expect(Buffer.concat(pieces.map((p) => p.plain)).equals(bytes)).toBe(true);
      for (const [offset, length] of [
        [0, 10],
        [SEGMENT_BYTES - 5, 10],
        [size - 3, 100],
        [7, SEGMENT_BYTES * 2],
      ]) {
        if (offset === undefined || length === undefined || offset < 0 || offset > size) continue;
        expect(
          vault.files.readRange(id, offset, length).equals(bytes.subarray(offset, offset + length)),
        ).toBe(true);
      }
    }
    expect(temps()).toEqual([]);
  });

  it('a flipped byte, swapped segments or a file cut at a segment boundary fail with VaultCorruptError', () => {
    const bytes = randomBytes(3 * SEGMENT_BYTES + 100);
    const id = writeStreamed(bytes);
    const path = join(filesDir(), id);
    const original = readFileSync(path);
    const sealed = SEGMENT_BYTES + 16;

    const flipped = Buffer.from(original);
    flipped[SEGMENT_HEADER_BYTES + sealed + 5] = (flipped[SEGMENT_HEADER_BYTES + sealed + 5] ?? 0) ^ 1;
    writeFileSync(path, flipped);
    expect(() => vault.files.read(id)).toThrow(VaultCorruptError);
    expect(vault.files.readRange(id, 0, 10).equals(bytes.subarray(0, 10))).toBe(true); // segment 0 intact
    expect(() => vault.files.readRange(id, SEGMENT_BYTES, 10)).toThrow(VaultCorruptError);

    const swapped = Buffer.concat([
      original.subarray(0, SEGMENT_HEADER_BYTES),
      original.subarray(SEGMENT_HEADER_BYTES + sealed, SEGMENT_HEADER_BYTES + 2 * sealed),
      original.subarray(SEGMENT_HEADER_BYTES, SEGMENT_HEADER_BYTES + sealed),
      original.subarray(SEGMENT_HEADER_BYTES + 2 * sealed),
    ]);
    writeFileSync(path, swapped);
    expect(() => vault.files.read(id)).toThrow(VaultCorruptError);

    // Cut after three full segments and claim that size: segment 2 was not sealed as the last one.
    writeFileSync(path, original.subarray(0, SEGMENT_HEADER_BYTES + 3 * sealed));
    vault.db.prepare('UPDATE files SET size = ? WHERE id = ?').run(3 * SEGMENT_BYTES, id);
    expect(() => vault.files.read(id)).toThrow(VaultCorruptError);

    writeFileSync(path, original);
    vault.db.prepare('UPDATE files SET size = ? WHERE id = ?').run(bytes.length, id);
    expect(vault.files.read(id).equals(bytes)).toBe(true);
  });

  it('an aborted write, or one still open at lock, leaves no key row, and its temp file is shredded', async () => {
    const count = (): number => vault.db.prepare('SELECT count(*) FROM files').pluck().get() as number;
    const aborted = vault.files.createWriter();
    aborted.write(randomBytes(SEGMENT_BYTES + 3));
    expect(temps()).toHaveLength(1);
    aborted.abort();
    aborted.abort();
    expect(count()).toBe(0);
    await vault.deletedFilesShredded(); // its ciphertext is overwritten and unlinked in the background
    expect(temps()).toEqual([]);
    expect(count()).toBe(0);

    const open = vault.files.createWriter();
    open.write(randomBytes(2 * SEGMENT_BYTES + 9));
    vault.lock();
    await vault.deletedFilesShredded();
    expect(temps()).toEqual([]);
    expect(() => open.write(randomBytes(4))).toThrow(VaultLockedError);
    await vault.unlock(Buffer.from('segmented file tests'));
    expect(readdirSync(filesDir())).toEqual([]);
    expect(count()).toBe(0);
    expect(() => vault.files.createWriter().commit()).not.toThrow();
    vault.lock();
    expect(() => vault.files).toThrow(VaultLockedError);
  });
});

/**
 * Files at rest (attachments, avatars, anything too big for a row): each file is AES-256-GCM encrypted
 * under its own random key, which lives only in the vault DB's `files` table. On disk a file is
 * `CPF1 | 12-byte IV | ciphertext | 16-byte tag`; the AAD binds the ciphertext to its id so files cannot
 * be swapped. Writes go to a temp file of ciphertext only, fsynced and renamed into place, so plaintext
 * never touches the disk and a crash leaves either nothing or a complete file.
 *
 * Deleting removes the key row (crypto-shredding: secure_delete zeroes it inside the DB) and then
 * overwrites and unlinks the file. Inside an open transaction the file is only queued and shredded once
 * the row is really gone, so a rolled-back delete never loses a file.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError, VaultCorruptError, VaultFileNotFoundError, VaultLockedError } from '../errors.js';
import { log } from '../log.js';
import { TEMP_SUFFIX, shredFile, writeFileAtomic } from './fs-util.js';
import type { SqlDatabase } from './sql.js';

const MAGIC = Buffer.from('CPF1', 'ascii');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FILE_KEY_BYTES = 32;
const ID_PATTERN = /^[0-9a-f]{32}$/;

function aadFor(id: string): Buffer {
  return Buffer.from(`carapace-file-v1:${id}`, 'ascii');
}

export class EncryptedFileStore {
  private readonly pendingShred = new Set<string>();

  /** @internal — the vault constructs this on unlock and closes it on lock. */
  constructor(
    private readonly db: SqlDatabase,
    private readonly dir: string,
    private readonly isOpen: () => boolean,
    private readonly clock: () => number = Date.now,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private check(id?: string): void {
    if (!this.isOpen()) throw new VaultLockedError();
    if (id !== undefined && !ID_PATTERN.test(id)) throw new ValidationError('Not a vault file id.');
    if (this.pendingShred.size && !this.db.inTransaction) this.flushPendingShreds();
  }

  private pathFor(id: string): string {
    return join(this.dir, id);
  }

  /** Encrypts and stores `bytes`; returns the new file's id. */
  write(bytes: Uint8Array): string {
    this.check();
    const id = randomBytes(16).toString('hex');
    const key = randomBytes(FILE_KEY_BYTES);
    try {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aadFor(id));
      const body = cipher.update(bytes);
      const final = cipher.final();
      const blob = Buffer.concat([MAGIC, iv, body, final, cipher.getAuthTag()]);
      writeFileAtomic(this.pathFor(id), blob, 0o600);
      try {
        this.db
          .prepare('INSERT INTO files (id, key, size, created_at) VALUES (?, ?, ?, ?)')
          .run(id, key, bytes.length, this.clock());
      } catch (error) {
        shredFile(this.pathFor(id));
        throw error;
      }
      return id;
    } finally {
      key.fill(0);
    }
  }

  /** Decrypts a stored file. The returned Buffer is the caller's: zero it when done if it is sensitive. */
  read(id: string): Buffer {
    this.check(id);
    const row = this.db.prepare('SELECT key, size FROM files WHERE id = ?').get(id) as
      { key: Buffer; size: number } | undefined;
    if (!row) throw new VaultFileNotFoundError();
    try {
      const path = this.pathFor(id);
      if (!existsSync(path)) throw new VaultCorruptError('An encrypted file is missing from the vault.');
      const blob = readFileSync(path);
      if (
        blob.length < MAGIC.length + IV_BYTES + TAG_BYTES ||
        !blob.subarray(0, MAGIC.length).equals(MAGIC)
      ) {
        throw new VaultCorruptError('An encrypted file in the vault is damaged.');
      }
      const iv = blob.subarray(MAGIC.length, MAGIC.length + IV_BYTES);
      const tag = blob.subarray(blob.length - TAG_BYTES);
      const body = blob.subarray(MAGIC.length + IV_BYTES, blob.length - TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', row.key, iv);
      decipher.setAAD(aadFor(id));
      decipher.setAuthTag(tag);
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(body), decipher.final()]);
      } catch (error) {
        throw new VaultCorruptError('An encrypted file in the vault failed its integrity check.', {
          cause: error,
        });
      }
      if (plain.length !== row.size) {
        plain.fill(0);
        throw new VaultCorruptError('An encrypted file in the vault has the wrong size.');
      }
      return plain;
    } finally {
      row.key.fill(0);
    }
  }

  has(id: string): boolean {
    this.check(id);
    return this.db.prepare('SELECT 1 FROM files WHERE id = ?').get(id) !== undefined;
  }

  /** Plaintext size in bytes, without decrypting. */
  size(id: string): number {
    this.check(id);
    const row = this.db.prepare('SELECT size FROM files WHERE id = ?').get(id) as
      { size: number } | undefined;
    if (!row) throw new VaultFileNotFoundError();
    return row.size;
  }

  /** Deletes the key row, then overwrites and unlinks the ciphertext. Deleting a missing id is a no-op. */
  delete(id: string): void {
    this.check(id);
    this.db.prepare('DELETE FROM files WHERE id = ?').run(id);
    this.pendingShred.add(id);
    if (!this.db.inTransaction) this.flushPendingShreds();
  }

  private flushPendingShreds(): void {
    const stillThere = this.db.prepare('SELECT 1 FROM files WHERE id = ?');
    for (const id of [...this.pendingShred]) {
      this.pendingShred.delete(id);
      if (stillThere.get(id) === undefined) shredFile(this.pathFor(id));
    }
  }

  /**
   * @internal Crash leftovers: temp files and ciphertexts whose key row never committed (or was
   * deleted before the file could be removed). Returns how many files were removed.
   */
  sweep(): number {
    this.check();
    const known = this.db.prepare('SELECT 1 FROM files WHERE id = ?');
    let removed = 0;
    for (const name of readdirSync(this.dir)) {
      const path = join(this.dir, name);
      if (name.endsWith(TEMP_SUFFIX)) {
        unlinkSync(path);
        removed++;
      } else if (ID_PATTERN.test(name) && known.get(name) === undefined) {
        shredFile(path);
        removed++;
      }
    }
    if (removed) log.info('vault.files.swept', { removed });
    return removed;
  }

  /** @internal Called by the vault before it closes the DB. */
  flush(): void {
    if (this.pendingShred.size && !this.db.inTransaction) this.flushPendingShreds();
  }
}

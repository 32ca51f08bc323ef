/**
 * Files at rest (attachments, avatars, anything too big for a row): each file is AES-256-GCM encrypted
 * under its own random key, which lives only in the vault DB's `files` table. On disk a file is
 * `CPF1 | 12-byte IV | ciphertext | 16-byte tag`; the AAD binds the ciphertext to its id so files cannot
 * be swapped. Writes go to a temp file of ciphertext only, fsynced and renamed into place, so plaintext
 * never touches the disk and a crash leaves either nothing or a complete file.
 *
 * Files written as a stream (`createWriter`: attachments being downloaded or staged for sending) use the
 * segmented format of file-segments.ts instead; until `commit` they are a temp file of ciphertext whose
 * key exists only in memory, so an abandoned, cancelled or crashed write is unreadable and is shredded
 * (on `abort`, on lock, or by the next unlock's sweep). `read` takes both formats; `readRange` and
 * `chunks` read a segmented file a piece at a time.
 *
 * Deleting removes the key row (crypto-shredding: secure_delete zeroes it inside the DB) and then has the
 * file overwritten and unlinked in the background (shredder.ts). Inside an open transaction the file is
 * only queued, and handed over once the row is really gone, so a rolled-back delete never loses a file.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  close,
  closeSync,
  existsSync,
  fsync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
} from 'node:fs';
import { join } from 'node:path';
import { wipeAndRelease } from '../bytes/release.js';
import {
  PreconditionError,
  ValidationError,
  VaultCorruptError,
  VaultFileNotFoundError,
  VaultLockedError,
} from '../errors.js';
import { log } from '../log.js';
import { SEGMENT_MAGIC, SegmentReader, SegmentWriter } from './file-segments.js';
import { TEMP_SUFFIX, fsyncDir, unlinkIfPresent, writeFileAtomic } from './fs-util.js';
import type { BackgroundShredder } from './shredder.js';
import type { SqlDatabase } from './sql.js';

const MAGIC = Buffer.from('CPF1', 'ascii');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FILE_KEY_BYTES = 32;
const ID_PATTERN = /^[0-9a-f]{32}$/;

/** A streamed file's ciphertext is pushed to disk in the background every this many plaintext bytes. */
const WRITEBACK_BYTES = 4 * 1024 * 1024;

/**
 * Writes back a streamed file's ciphertext on the thread pool while it is still being written, so the
 * synchronous fsync at commit has only the tail left. It uses its own descriptor (the writer's may be
 * closed meanwhile) and runs at most one fsync at a time. Not a durability step — that stays the
 * commit's fsync, after digest and MAC — so its failures change nothing.
 */
class Writeback {
  readonly #fd: number;
  #unflushed = 0;
  #running = false;
  #ended = false;

  constructor(path: string) {
    this.#fd = openSync(path, 'r');
  }

  wrote(bytes: number): void {
    this.#unflushed += bytes;
    if (this.#unflushed < WRITEBACK_BYTES || this.#running || this.#ended) return;
    this.#unflushed = 0;
    this.#running = true;
    fsync(this.#fd, () => {
      this.#running = false;
      if (this.#ended) close(this.#fd, () => undefined);
    });
  }

  /** Closes the descriptor now, or when the running fsync returns. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (!this.#running) closeSync(this.#fd);
  }
}

function aadFor(id: string): Buffer {
  return Buffer.from(`carapace-file-v1:${id}`, 'ascii');
}

/** A file being written as a stream; nothing is in the vault until `commit`. */
export interface VaultFileWriter {
  /** Plaintext bytes written so far. */
  readonly size: number;
  write(chunk: Uint8Array): void;
  /** Seals, fsyncs and records the file; returns its id. */
  commit(): string;
  /** Shreds the partial file and forgets its key. Safe to call more than once, and after commit. */
  abort(): void;
}

export class EncryptedFileStore {
  private readonly pendingShred = new Set<string>();
  private readonly writers = new Set<VaultFileWriter>();

  /** @internal — the vault constructs this on unlock and closes it on lock. */
  constructor(
    private readonly db: SqlDatabase,
    private readonly dir: string,
    private readonly isOpen: () => boolean,
    private readonly shredder: BackgroundShredder,
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
        this.shredder.shred(this.pathFor(id));
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
      if (this.isSegmented(path)) return this.readSegmented(id, row.key, row.size);
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

  private isSegmented(path: string): boolean {
    const fd = openSync(path, 'r');
    try {
      const magic = Buffer.alloc(SEGMENT_MAGIC.length);
      return readSync(fd, magic, 0, magic.length, 0) === magic.length && magic.equals(SEGMENT_MAGIC);
    } finally {
      closeSync(fd);
    }
  }

  private readSegmented(id: string, key: Buffer, size: number): Buffer {
    const out = Buffer.alloc(size);
    try {
      for (const { start, plain } of this.segmentsOf(id, key, size, 0, size)) {
        plain.copy(out, start);
        wipeAndRelease(plain);
      }
    } catch (error) {
      out.fill(0);
      throw error;
    }
    return out;
  }

  /**
   * Starts a streamed file (segmented format). The writer's temp file holds ciphertext only; its key stays
   * in memory until `commit` records it, so nothing of an unfinished write is readable.
   */
  createWriter(): VaultFileWriter {
    this.check();
    const id = randomBytes(16).toString('hex');
    const key = randomBytes(32);
    const temp = join(this.dir, `.${id}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
    const fd = openSync(temp, 'wx', 0o600);
    let segments: SegmentWriter;
    let writeback: Writeback;
    try {
      segments = new SegmentWriter(fd, id, key);
      writeback = new Writeback(temp);
    } catch (error) {
      closeSync(fd);
      this.shredder.shred(temp);
      key.fill(0);
      throw error;
    }
    let state: 'open' | 'committed' | 'aborted' = 'open';
    const release = (): void => {
      writeback.end();
      segments.wipe();
      key.fill(0);
      this.writers.delete(writer);
    };
    const writer: VaultFileWriter = {
      get size() {
        return segments.size;
      },
      write: (chunk) => {
        if (state !== 'open') throw this.writerClosed();
        try {
          this.check();
          segments.write(chunk);
          writeback.wrote(chunk.length);
        } catch (error) {
          writer.abort();
          throw error;
        }
      },
      commit: () => {
        if (state !== 'open') throw this.writerClosed();
        try {
          this.check();
          const size = segments.finish();
          closeSync(fd);
          state = 'committed';
          renameSync(temp, this.pathFor(id));
          fsyncDir(this.dir);
          try {
            this.db
              .prepare('INSERT INTO files (id, key, size, created_at) VALUES (?, ?, ?, ?)')
              .run(id, key, size, this.clock());
          } catch (error) {
            this.shredder.shred(this.pathFor(id));
            throw error;
          }
          return id;
        } catch (error) {
          if (state === 'open') writer.abort();
          throw error;
        } finally {
          release();
        }
      },
      abort: () => {
        if (state !== 'open') return;
        state = 'aborted';
        try {
          closeSync(fd);
          this.shredder.shred(temp);
        } finally {
          release();
        }
      },
    };
    this.writers.add(writer);
    return writer;
  }

  /** Why a writer that is no longer open refuses: the vault locked (and aborted it), or it was finished. */
  private writerClosed(): Error {
    return this.isOpen()
      ? new PreconditionError('This vault file was already committed or abandoned.')
      : new VaultLockedError();
  }

  /**
   * The plaintext of `id` between `offset` and `end`, one segment at a time (each yielded Buffer is the
   * caller's, to hand to `wipeAndRelease` once used; `start` is its offset in the file). A file in the one-piece format comes as one piece.
   */
  *chunks(id: string, offset = 0, end?: number): Generator<{ start: number; plain: Buffer }> {
    this.check(id);
    const row = this.db.prepare('SELECT key, size FROM files WHERE id = ?').get(id) as
      { key: Buffer; size: number } | undefined;
    if (!row) throw new VaultFileNotFoundError();
    const path = this.pathFor(id);
    try {
      if (!existsSync(path)) throw new VaultCorruptError('An encrypted file is missing from the vault.');
      if (this.isSegmented(path)) {
        yield* this.segmentsOf(id, row.key, row.size, offset, Math.min(end ?? row.size, row.size));
      } else {
        yield { start: 0, plain: this.read(id) };
      }
    } finally {
      row.key.fill(0);
    }
  }

  private *segmentsOf(
    id: string,
    key: Buffer,
    size: number,
    offset: number,
    end: number,
  ): Generator<{ start: number; plain: Buffer }> {
    const reader = new SegmentReader(this.pathFor(id), id, key, size);
    try {
      yield* reader.segments(offset, end);
    } finally {
      reader.close();
    }
  }

  /** `length` plaintext bytes of `id` from `offset` (shorter at the end of the file). */
  readRange(id: string, offset: number, length: number): Buffer {
    const size = this.size(id);
    const end = Math.min(size, offset + length);
    const out = Buffer.alloc(Math.max(0, end - offset));
    for (const { start, plain } of this.chunks(id, offset, end)) {
      const from = Math.max(offset, start);
      const to = Math.min(end, start + plain.length);
      plain.copy(out, from - offset, from - start, to - start);
      wipeAndRelease(plain);
    }
    return out;
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
      if (stillThere.get(id) === undefined) this.shredder.shred(this.pathFor(id));
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
      if (this.shredder.holds(path)) continue; // already on its way out
      if (name.endsWith(TEMP_SUFFIX)) {
        unlinkIfPresent(path);
        removed++;
      } else if (ID_PATTERN.test(name) && known.get(name) === undefined) {
        this.shredder.shred(path);
        removed++;
      }
    }
    if (removed) log.info('vault.files.swept', { removed });
    return removed;
  }

  /** Shreds deleted files whose key row is gone (the vault calls it before a rekey). */
  flush(): void {
    if (this.pendingShred.size && !this.db.inTransaction) this.flushPendingShreds();
  }

  /** @internal Called by the vault before it closes the DB: unfinished writes are shredded, then flush. */
  close(): void {
    for (const writer of [...this.writers]) writer.abort();
    this.flush();
  }
}

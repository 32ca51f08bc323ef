/**
 * The vault's segmented file format (CPF2), for files written and read as streams (attachments): the
 * plaintext is cut into SEGMENT_BYTES pieces, each sealed with AES-256-GCM under the file's own key.
 *
 *   file    = "CPF2" | 8-byte random nonce prefix | segment 0 | segment 1 | … (never empty: ≥ 1 segment)
 *   segment = ciphertext (SEGMENT_BYTES, the last one shorter) | 16-byte tag
 *   IV      = nonce prefix | segment index (u32 BE)
 *   AAD     = "carapace-file-v2:<id>:<index>:<1 if last else 0>"
 *
 * The AAD binds each segment to its file, its place and to being the last one, so segments cannot be
 * swapped, reordered, dropped or the file cut at a segment boundary without a tag failure. A writer never
 * holds more than one segment of plaintext; a reader decrypts only the segments a range touches.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { releaseBuffer, wipeAndRelease } from '../bytes/release.js';
import { VaultCorruptError } from '../errors.js';

export const SEGMENT_MAGIC = Buffer.from('CPF2', 'ascii');
const PREFIX_BYTES = 8;
const TAG_BYTES = 16;
export const SEGMENT_HEADER_BYTES = SEGMENT_MAGIC.length + PREFIX_BYTES;
/** Plaintext bytes per segment: the unit of every write, read and range. */
export const SEGMENT_BYTES = 256 * 1024;

function ivFor(prefix: Buffer, index: number): Buffer {
  const iv = Buffer.alloc(PREFIX_BYTES + 4);
  prefix.copy(iv);
  iv.writeUInt32BE(index, PREFIX_BYTES);
  return iv;
}

function aadFor(id: string, index: number, last: boolean): Buffer {
  return Buffer.from(`carapace-file-v2:${id}:${index}:${last ? 1 : 0}`, 'ascii');
}

function segmentCount(size: number): number {
  return Math.max(1, Math.ceil(size / SEGMENT_BYTES));
}

function writeAll(fd: number, data: Uint8Array): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
}

/**
 * Writes one segmented file into an open, empty file descriptor (ciphertext only). The caller owns the
 * fd's life (open, rename, shred); `finish` seals the last segment and fsyncs.
 */
export class SegmentWriter {
  readonly #prefix = randomBytes(PREFIX_BYTES);
  readonly #segment = Buffer.alloc(SEGMENT_BYTES);
  #filled = 0;
  #index = 0;
  #size = 0;

  constructor(
    private readonly fd: number,
    private readonly id: string,
    private readonly key: Buffer,
  ) {
    writeAll(fd, Buffer.concat([SEGMENT_MAGIC, this.#prefix]));
  }

  get size(): number {
    return this.#size;
  }

  write(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length) {
      // A full segment is sealed only when more bytes follow, so the last segment knows it is last.
      if (this.#filled === SEGMENT_BYTES) this.#seal(false);
      const take = Math.min(chunk.length - offset, SEGMENT_BYTES - this.#filled);
      this.#segment.set(chunk.subarray(offset, offset + take), this.#filled);
      this.#filled += take;
      offset += take;
    }
    this.#size += chunk.length;
  }

  #seal(last: boolean): void {
    const cipher = createCipheriv('aes-256-gcm', this.key, ivFor(this.#prefix, this.#index));
    cipher.setAAD(aadFor(this.id, this.#index, last));
    const sealed = cipher.update(this.#segment.subarray(0, this.#filled));
    writeAll(this.fd, sealed);
    releaseBuffer(sealed);
    cipher.final();
    writeAll(this.fd, cipher.getAuthTag());
    this.#segment.fill(0, 0, this.#filled);
    this.#filled = 0;
    this.#index += 1;
  }

  /** Seals the last segment and fsyncs; returns the plaintext size. */
  finish(): number {
    this.#seal(true);
    fsyncSync(this.fd);
    return this.#size;
  }

  /** Zeroes the buffered plaintext (after finish or when abandoning the file). */
  wipe(): void {
    this.#segment.fill(0);
  }
}

/** Reads plaintext ranges of one segmented file; decrypts only the segments a range touches. */
export class SegmentReader {
  readonly #fd: number;
  readonly #prefix = Buffer.alloc(PREFIX_BYTES);
  readonly #count: number;
  /** Ciphertext of the segment being read (not secret), reused so a long read does not churn the GC. */
  readonly #sealed: Buffer;

  constructor(
    path: string,
    private readonly id: string,
    private readonly key: Buffer,
    private readonly size: number,
  ) {
    this.#count = segmentCount(size);
    this.#sealed = Buffer.allocUnsafe(Math.min(size, SEGMENT_BYTES) + TAG_BYTES);
    this.#fd = openSync(path, 'r');
    try {
      const header = Buffer.alloc(SEGMENT_HEADER_BYTES);
      if (readSync(this.#fd, header, 0, header.length, 0) !== header.length) throw damaged();
      if (!header.subarray(0, SEGMENT_MAGIC.length).equals(SEGMENT_MAGIC)) throw damaged();
      header.copy(this.#prefix, 0, SEGMENT_MAGIC.length);
    } catch (error) {
      closeSync(this.#fd);
      throw error;
    }
  }

  /** Plaintext of segment `index`: the caller's Buffer, to hand to `wipeAndRelease` once used. */
  segment(index: number): Buffer {
    const plainLength = index === this.#count - 1 ? this.size - index * SEGMENT_BYTES : SEGMENT_BYTES;
    const sealed = this.#sealed.subarray(0, plainLength + TAG_BYTES);
    const position = SEGMENT_HEADER_BYTES + index * (SEGMENT_BYTES + TAG_BYTES);
    if (readSync(this.#fd, sealed, 0, sealed.length, position) !== sealed.length) throw damaged();
    const decipher = createDecipheriv('aes-256-gcm', this.key, ivFor(this.#prefix, index));
    decipher.setAAD(aadFor(this.id, index, index === this.#count - 1));
    decipher.setAuthTag(sealed.subarray(plainLength));
    const plain = decipher.update(sealed.subarray(0, plainLength));
    try {
      decipher.final();
    } catch (error) {
      wipeAndRelease(plain);
      throw new VaultCorruptError('An encrypted file in the vault failed its integrity check.', {
        cause: error,
      });
    }
    return plain;
  }

  /** The plaintext segments from the one holding `offset` up to the one holding `end - 1`. */
  *segments(offset = 0, end = this.size): Generator<{ start: number; plain: Buffer }> {
    if (end <= offset) return;
    const first = Math.floor(offset / SEGMENT_BYTES);
    const last = Math.min(this.#count - 1, Math.floor((end - 1) / SEGMENT_BYTES));
    for (let index = first; index <= last; index += 1) {
      yield { start: index * SEGMENT_BYTES, plain: this.segment(index) };
    }
  }

  close(): void {
    closeSync(this.#fd);
    // Its memory now, not at the next full collection: a save or a ranged read opens a reader per piece.
    releaseBuffer(this.#sealed);
  }
}

function damaged(): VaultCorruptError {
  return new VaultCorruptError('An encrypted file in the vault is damaged.');
}

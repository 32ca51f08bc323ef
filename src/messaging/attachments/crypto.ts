/**
 * Signal attachment encryption (the public format every Signal client reads):
 *
 *   key    = 64 random bytes: AES-256 key (32) || HMAC-SHA256 key (32)
 *   blob   = IV (16) || AES-256-CBC(PKCS7, plaintext || zero padding) || HMAC-SHA256(IV || ciphertext) (32)
 *   digest = SHA-256(blob), sent in the AttachmentPointer and checked by the receiver
 *
 * The plaintext is zero-padded to a size bucket (≥ 541 bytes, then steps of 5 %) so the CDN and the
 * network see only the bucket, not the exact size; the pointer's `size` gives the real length back.
 *
 * Both directions stream: `AttachmentEncryptor` turns plaintext chunks into blob chunks (the size is known
 * up front), `AttachmentDecryptStream` runs SHA-256, HMAC and AES as network bytes arrive (the last 32
 * bytes held back as the MAC) and hands plaintext to a sink that must keep it unreleased until `final()`
 * checked digest and MAC (constant-time compares) — a download writes into an uncommitted vault file and
 * commits it only then. A mismatch throws AttachmentRejectedError('integrity').
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
  type Cipheriv,
  type Decipheriv,
  type Hash,
  type Hmac,
} from 'node:crypto';
import { releaseBuffer, wipeAndRelease } from '../../bytes/release.js';
import { AttachmentRejectedError, integrityFailure, tooLarge } from './errors.js';
import { MAX_ATTACHMENT_BYTES } from './limits.js';

const ATTACHMENT_KEY_BYTES = 64;
const AES_KEY_BYTES = 32;
const IV_BYTES = 16;
const MAC_BYTES = 32;
const BLOCK = 16;
const MIN_PADDED = 541;

/** Plaintext size after bucket padding: max(541, floor(1.05^ceil(log_1.05(size)))), never below `size`. */
export function paddedAttachmentSize(size: number): number {
  if (!Number.isInteger(size) || size < 0) throw new RangeError('size must be a non-negative integer');
  if (size <= 1) return MIN_PADDED;
  const bucket = Math.floor(1.05 ** Math.ceil(Math.log(size) / Math.log(1.05)));
  return Math.max(MIN_PADDED, bucket, size);
}

/** Size of the encrypted blob for a plaintext of `size` bytes (what the CDN stores and TUS announces). */
export function encryptedAttachmentSize(size: number): number {
  const padded = paddedAttachmentSize(size);
  return IV_BYTES + (Math.floor(padded / BLOCK) + 1) * BLOCK + MAC_BYTES;
}

/** The largest blob a `MAX_ATTACHMENT_BYTES` plaintext can produce; downloads larger than this are cut off. */
export const MAX_ENCRYPTED_ATTACHMENT_BYTES = encryptedAttachmentSize(MAX_ATTACHMENT_BYTES);

export interface EncryptedAttachment {
  /** IV || ciphertext || MAC: the bytes to upload. */
  readonly blob: Buffer;
  /** 64-byte key for the pointer. Secret: zero it (`fill(0)`) once the pointer is sent. */
  readonly key: Buffer;
  /** SHA-256 of `blob`, for the pointer. */
  readonly digest: Buffer;
  /** Unpadded plaintext size, for the pointer. */
  readonly size: number;
}

export interface EncryptOptions {
  /** Fixed key/IV for tests and interop vectors only; production uses fresh random values. */
  readonly key?: Uint8Array;
  readonly iv?: Uint8Array;
}

const PADDING_PIECE = 64 * 1024;

/**
 * Streaming encryption of one attachment whose plaintext size is known up front (the padding and the
 * blob's length depend on it): `update` per plaintext chunk returns the blob bytes to send (the IV comes
 * first), `finish` yields the padding's ciphertext and the MAC; afterwards `digest` is the blob's SHA-256.
 * Never more than one chunk (or 64 KiB of padding) is held.
 */
export class AttachmentEncryptor {
  /** 64-byte key for the pointer. Secret: zero it (`fill(0)`) once the pointer is sent. */
  readonly key = Buffer.alloc(ATTACHMENT_KEY_BYTES);
  /** Length of the whole blob (what TUS announces). */
  readonly encryptedSize: number;
  readonly #iv: Buffer;
  readonly #cipher: Cipheriv;
  readonly #hmac: Hmac;
  readonly #sha: Hash = createHash('sha256');
  #fed = 0;
  #started = false;
  #digest: Buffer | undefined;

  constructor(
    readonly size: number,
    options: EncryptOptions = {},
  ) {
    if (size > MAX_ATTACHMENT_BYTES) throw tooLarge();
    if (options.key) {
      if (options.key.length !== ATTACHMENT_KEY_BYTES) throw new RangeError('An attachment key is 64 bytes');
      this.key.set(options.key);
    } else randomBytes(ATTACHMENT_KEY_BYTES).copy(this.key);
    this.#iv = options.iv ? Buffer.from(options.iv) : randomBytes(IV_BYTES);
    if (this.#iv.length !== IV_BYTES) throw new RangeError('An attachment IV is 16 bytes');
    this.encryptedSize = encryptedAttachmentSize(size);
    this.#cipher = createCipheriv('aes-256-cbc', this.key.subarray(0, AES_KEY_BYTES), this.#iv);
    this.#hmac = createHmac('sha256', this.key.subarray(AES_KEY_BYTES));
  }

  #out(ciphertext: Buffer): Buffer {
    let out = ciphertext;
    if (!this.#started) {
      this.#started = true;
      this.#hmac.update(this.#iv);
      out = Buffer.concat([this.#iv, ciphertext]);
    }
    this.#hmac.update(ciphertext);
    this.#sha.update(out);
    if (out !== ciphertext) releaseBuffer(ciphertext);
    return out;
  }

  /** Encrypts the next plaintext chunk; returns the blob bytes it produced (may be empty). */
  update(plain: Uint8Array): Buffer {
    this.#fed += plain.length;
    if (this.#fed > this.size) throw new RangeError('More plaintext than the announced attachment size');
    return this.#out(this.#cipher.update(plain));
  }

  /** The rest of the blob: the padding's ciphertext, the last block, then the MAC. */
  *finish(): Generator<Buffer> {
    if (this.#fed !== this.size) throw new RangeError('Less plaintext than the announced attachment size');
    const zeros = Buffer.alloc(Math.min(PADDING_PIECE, paddedAttachmentSize(this.size) - this.size));
    for (let left = paddedAttachmentSize(this.size) - this.size; left > 0; left -= zeros.length) {
      yield this.#out(this.#cipher.update(zeros.subarray(0, Math.min(left, zeros.length))));
    }
    const last = this.#out(this.#cipher.final());
    const mac = this.#hmac.digest();
    this.#sha.update(mac);
    this.#digest = this.#sha.digest();
    yield Buffer.concat([last, mac]);
  }

  /** SHA-256 of the blob, once `finish` ran to its end. */
  get digest(): Buffer {
    if (!this.#digest) throw new Error('The attachment is not fully encrypted yet');
    return this.#digest;
  }
}

/** The blob of `encryptor` for a plaintext read chunk by chunk from `source`: each piece as it is ready. */
export function* encryptedChunks(
  encryptor: AttachmentEncryptor,
  source: Iterable<Uint8Array>,
): Generator<Buffer> {
  for (const plain of source) {
    const out = encryptor.update(plain);
    if (out.length > 0) yield out;
  }
  yield* encryptor.finish();
}

/** One-shot encryption of a whole plaintext (small files, tests, interop vectors). */
export function encryptAttachment(plaintext: Uint8Array, options: EncryptOptions = {}): EncryptedAttachment {
  const encryptor = new AttachmentEncryptor(plaintext.length, options);
  const parts = [...encryptedChunks(encryptor, [plaintext])];
  const blob = Buffer.concat(parts);
  for (const part of parts) releaseBuffer(part);
  return { blob, key: encryptor.key, digest: encryptor.digest, size: plaintext.length };
}

export interface DecryptParams {
  /** The pointer's 64-byte key. */
  readonly key: Uint8Array;
  /** The pointer's SHA-256 digest of the blob. */
  readonly digest: Uint8Array;
  /** The pointer's unpadded plaintext size. */
  readonly size: number;
}

function checkParams(params: DecryptParams): void {
  if (params.key.length !== ATTACHMENT_KEY_BYTES) {
    throw new AttachmentRejectedError('missing-pointer-field', 'The attachment key is missing or malformed.');
  }
  if (params.digest.length !== 32) {
    throw new AttachmentRejectedError(
      'missing-pointer-field',
      'The attachment digest is missing or malformed.',
    );
  }
  if (!Number.isInteger(params.size) || params.size < 0) {
    throw new AttachmentRejectedError(
      'missing-pointer-field',
      'The attachment size is missing or malformed.',
    );
  }
  if (params.size > MAX_ATTACHMENT_BYTES) throw tooLarge();
}

/**
 * Streaming decryption of one blob. Feed the network chunks to `update`; the plaintext (padding cut off)
 * goes to `onPlaintext` as it is decrypted — UNVERIFIED until `final` returned, so the sink must keep it
 * unreleased (e.g. a vault file not yet committed) and drop it if `final` or `update` throws.
 */
export class AttachmentDecryptStream {
  readonly #key: Buffer;
  readonly #digest: Buffer;
  readonly #size: number;
  readonly #sha: Hash = createHash('sha256');
  readonly #hmac: Hmac;
  #decipher: Decipheriv | undefined;
  #pending: Buffer = Buffer.alloc(0);
  #received = 0;
  #released = 0;
  #done = false;

  constructor(
    params: DecryptParams,
    private readonly onPlaintext: (plain: Buffer) => void,
  ) {
    checkParams(params);
    this.#key = Buffer.from(params.key);
    this.#digest = Buffer.from(params.digest);
    this.#size = params.size;
    this.#hmac = createHmac('sha256', this.#key.subarray(AES_KEY_BYTES));
  }

  /** Bytes fed so far. */
  get received(): number {
    return this.#received;
  }

  update(chunk: Uint8Array): void {
    if (this.#done) throw new Error('AttachmentDecryptor already finished');
    this.#received += chunk.length;
    if (this.#received > encryptedAttachmentSize(this.#size)) {
      this.abort();
      throw new AttachmentRejectedError('malformed', 'The attachment is longer than its pointer allows.');
    }
    this.#sha.update(chunk);
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!this.#decipher) {
      if (this.#pending.length + data.length < IV_BYTES) {
        this.#pending = Buffer.concat([this.#pending, data]);
        return;
      }
      data = Buffer.concat([this.#pending, data]);
      this.#pending = Buffer.alloc(0);
      const iv = data.subarray(0, IV_BYTES);
      this.#hmac.update(iv);
      this.#decipher = createDecipheriv('aes-256-cbc', this.#key.subarray(0, AES_KEY_BYTES), iv);
      data = data.subarray(IV_BYTES);
    }
    // Everything except the last 32 bytes seen so far is ciphertext; those may be the MAC.
    if (data.length < MAC_BYTES) {
      const joined = Buffer.concat([this.#pending, data]);
      const cut = Math.max(0, joined.length - MAC_BYTES);
      if (cut > 0) this.#consume(joined.subarray(0, cut));
      this.#pending = Buffer.from(joined.subarray(cut));
      return;
    }
    if (this.#pending.length > 0) this.#consume(this.#pending);
    this.#consume(data.subarray(0, data.length - MAC_BYTES));
    this.#pending = Buffer.from(data.subarray(data.length - MAC_BYTES));
  }

  #consume(ciphertext: Buffer): void {
    if (ciphertext.length === 0 || !this.#decipher) return;
    this.#hmac.update(ciphertext);
    this.#release(this.#decipher.update(ciphertext));
  }

  /** Hands the sink the part of `plain` that is not padding. */
  #release(plain: Buffer): void {
    const take = Math.min(plain.length, this.#size - this.#released);
    if (take > 0) {
      this.#released += take;
      this.onPlaintext(take === plain.length ? plain : plain.subarray(0, take));
    }
    if (take < plain.length) plain.fill(0, Math.max(0, take));
  }

  /** Verifies digest and MAC (constant time), then releases the last plaintext block. */
  final(): void {
    if (this.#done) throw new Error('AttachmentDecryptor already finished');
    this.#done = true;
    try {
      if (!this.#decipher || this.#pending.length !== MAC_BYTES) {
        throw new AttachmentRejectedError('malformed', 'The attachment is too short to be valid.');
      }
      const digest = this.#sha.digest();
      const mac = this.#hmac.digest();
      const digestOk = timingSafeEqual(digest, this.#digest);
      const macOk = timingSafeEqual(mac, this.#pending);
      if (!digestOk || !macOk) throw integrityFailure();
      let last: Buffer;
      try {
        last = this.#decipher.final();
      } catch (error) {
        throw new AttachmentRejectedError('malformed', 'The attachment has invalid padding.', {
          cause: error,
        });
      }
      this.#release(last);
      if (this.#released < this.#size) {
        throw new AttachmentRejectedError('malformed', 'The attachment is shorter than its pointer says.');
      }
    } finally {
      this.abort();
    }
  }

  /** Zeroes the held-back bytes and the key (a decryption that will not be finished). Idempotent. */
  abort(): void {
    this.#done = true;
    this.#pending.fill(0);
    this.#key.fill(0);
  }
}

/**
 * Incremental decryption into memory (small files, tests): no plaintext leaves `final()` before the
 * digest and the MAC matched; on any failure the buffered plaintext is zeroed.
 */
export class AttachmentDecryptor {
  #plain: Buffer[] = [];
  readonly #stream: AttachmentDecryptStream;

  constructor(params: DecryptParams) {
    // The stream hands over each plaintext piece for good (it zeroes only what lies beyond the size).
    this.#stream = new AttachmentDecryptStream(params, (plain) => this.#plain.push(plain));
  }

  update(chunk: Uint8Array): void {
    try {
      this.#stream.update(chunk);
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  /** Verifies digest and MAC, then returns the unpadded plaintext (the caller's). */
  final(): Buffer {
    try {
      this.#stream.final();
      return Buffer.concat(this.#plain);
    } finally {
      this.abort();
    }
  }

  /** Zeroes every buffered plaintext chunk. Safe to call more than once. */
  abort(): void {
    this.#stream.abort();
    for (const part of this.#plain) wipeAndRelease(part);
    this.#plain = [];
  }
}

/** One-shot decryption of a whole blob (checks digest and MAC first). */
export function decryptAttachment(blob: Uint8Array, params: DecryptParams): Buffer {
  const decryptor = new AttachmentDecryptor(params);
  decryptor.update(blob);
  return decryptor.final();
}

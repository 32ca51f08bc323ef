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
 * Decryption is incremental (`AttachmentDecryptor.update` per network chunk: SHA-256, HMAC and AES run as
 * bytes arrive, the last 32 bytes held back as the MAC), but no plaintext leaves `final()` before the
 * digest and the MAC matched (constant-time compares). On any mismatch the buffered plaintext is zeroed
 * and an AttachmentRejectedError('integrity') is thrown, so a caller that writes only `final()`'s result
 * writes nothing for a tampered file.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
  type Decipheriv,
  type Hash,
  type Hmac,
} from 'node:crypto';
import { AttachmentRejectedError, integrityFailure, MAX_ATTACHMENT_BYTES, tooLarge } from './errors.js';

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

export function encryptAttachment(plaintext: Uint8Array, options: EncryptOptions = {}): EncryptedAttachment {
  if (plaintext.length > MAX_ATTACHMENT_BYTES) throw tooLarge();
  const key = Buffer.alloc(ATTACHMENT_KEY_BYTES);
  if (options.key) {
    if (options.key.length !== ATTACHMENT_KEY_BYTES) throw new RangeError('An attachment key is 64 bytes');
    key.set(options.key);
  } else randomBytes(ATTACHMENT_KEY_BYTES).copy(key);
  const iv = options.iv ? Buffer.from(options.iv) : randomBytes(IV_BYTES);
  if (iv.length !== IV_BYTES) throw new RangeError('An attachment IV is 16 bytes');

  const aesKey = key.subarray(0, AES_KEY_BYTES);
  const macKey = key.subarray(AES_KEY_BYTES);
  const cipher = createCipheriv('aes-256-cbc', aesKey, iv);
  const hmac = createHmac('sha256', macKey);
  const padding = Buffer.alloc(paddedAttachmentSize(plaintext.length) - plaintext.length);
  const parts = [iv, cipher.update(plaintext), cipher.update(padding), cipher.final()];
  for (const part of parts) hmac.update(part);
  parts.push(hmac.digest());
  const blob = Buffer.concat(parts);
  for (const part of parts.slice(1)) part.fill(0);
  const digest = createHash('sha256').update(blob).digest();
  return { blob, key, digest, size: plaintext.length };
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
 * Incremental decryption of one blob. Feed the network chunks to `update`, then call `final` once:
 * it checks digest and MAC before handing out any plaintext.
 */
export class AttachmentDecryptor {
  readonly #key: Buffer;
  readonly #digest: Buffer;
  readonly #size: number;
  readonly #sha: Hash = createHash('sha256');
  readonly #hmac: Hmac;
  #decipher: Decipheriv | undefined;
  #pending: Buffer = Buffer.alloc(0);
  #plain: Buffer[] = [];
  #received = 0;
  #done = false;

  constructor(params: DecryptParams) {
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
      this.#fail();
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
    this.#plain.push(this.#decipher.update(ciphertext));
  }

  /** Verifies digest and MAC (constant time), then returns the unpadded plaintext (the caller's). */
  final(): Buffer {
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
      this.#plain.push(last);
      const total = this.#plain.reduce((sum, part) => sum + part.length, 0);
      if (total < this.#size) {
        throw new AttachmentRejectedError('malformed', 'The attachment is shorter than its pointer says.');
      }
      const out = Buffer.alloc(this.#size);
      let offset = 0;
      for (const part of this.#plain) {
        if (offset >= this.#size) break;
        const take = Math.min(part.length, this.#size - offset);
        part.copy(out, offset, 0, take);
        offset += take;
      }
      return out;
    } finally {
      this.#fail();
    }
  }

  /** Zeroes every buffered secret and plaintext chunk. Safe to call more than once. */
  #fail(): void {
    this.#done = true;
    for (const part of this.#plain) part.fill(0);
    this.#plain = [];
    this.#pending.fill(0);
    this.#key.fill(0);
  }

  /** Drops a decryption that will not be finished (e.g. the download failed). */
  abort(): void {
    this.#fail();
  }
}

/** One-shot decryption of a whole blob (checks digest and MAC first). */
export function decryptAttachment(blob: Uint8Array, params: DecryptParams): Buffer {
  const decryptor = new AttachmentDecryptor(params);
  decryptor.update(blob);
  return decryptor.final();
}

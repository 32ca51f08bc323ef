/**
 * Header key slots (version 2): the vault key is random and the header keeps it wrapped (AES-256-GCM) under
 * a key-encryption key derived from Argon2id(passphrase). Destroying the 60-byte wrap is destroying the
 * vault, even for someone who later learns the passphrase — what the duress passphrase and the panic wipe
 * rely on. Every wrap and an unset duress slot are the same 60 bytes of random-looking data.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { KEY_BYTES } from './driver.js';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Length of every wrapped key (and of an unset duress slot): nonce ‖ ciphertext ‖ tag. */
const WRAPPED_BYTES = NONCE_BYTES + KEY_BYTES + TAG_BYTES;

/** What a wrap is for (its AAD): a vault key slot, or the duress slot. A wrap cannot be moved between them. */
type WrapRole = 'key' | 'duress';

/** The key-encryption key for one Argon2id output (caller zeroes it). */
export function wrappingKey(derived: Buffer): Buffer {
  const bytes = new Uint8Array(
    hkdfSync('sha256', derived, Buffer.alloc(0), 'carapace vault kek v2', KEY_BYTES),
  );
  const kek = Buffer.from(bytes);
  bytes.fill(0);
  return kek;
}

export function wrapKey(kek: Buffer, key: Buffer, role: WrapRole): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', kek, nonce);
  cipher.setAAD(Buffer.from(role));
  const body = Buffer.concat([cipher.update(key), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
}

/**
 * The wrapped key, or undefined when `kek` is not the one it was wrapped under. Costs the same whether it
 * opens or not (one AES-GCM pass over 32 bytes and a tag compare), so slots can be tried in a fixed order.
 */
export function unwrapKey(kek: Buffer, wrapped: string, role: WrapRole): Buffer | undefined {
  const bytes = Buffer.from(wrapped, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', kek, bytes.subarray(0, NONCE_BYTES));
  decipher.setAAD(Buffer.from(role));
  decipher.setAuthTag(bytes.subarray(NONCE_BYTES + KEY_BYTES));
  const key = decipher.update(bytes.subarray(NONCE_BYTES, NONCE_BYTES + KEY_BYTES));
  try {
    decipher.final();
    return key;
  } catch {
    key.fill(0);
    return undefined;
  }
}

/** An unset duress slot: random bytes of a wrap's length (indistinguishable from a set one). */
export function randomWrap(): string {
  return randomBytes(WRAPPED_BYTES).toString('base64');
}

/** Exactly WRAPPED_BYTES in canonical base64. */
export function isWrap(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    Buffer.from(value, 'base64').length === WRAPPED_BYTES &&
    Buffer.from(value, 'base64').toString('base64') === value
  );
}

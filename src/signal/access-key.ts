/**
 * Unidentified-access key: what a sealed-sender sender shows the server (header
 * `Unidentified-Access-Key`, base64) to prove it knows the recipient's profile key without saying who
 * it is. Signal derives it as the first 16 bytes of AES-256-GCM(key = profile key, IV = 12 zero bytes)
 * over 16 zero bytes.
 */
import { createCipheriv, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../errors.js';

export const PROFILE_KEY_LENGTH = 32;
export const ACCESS_KEY_LENGTH = 16;

export function deriveAccessKey(profileKey: Uint8Array): Uint8Array {
  if (profileKey.byteLength !== PROFILE_KEY_LENGTH) throw new ValidationError('A profile key is 32 bytes.');
  const cipher = createCipheriv('aes-256-gcm', profileKey, Buffer.alloc(12));
  const out = Buffer.concat([cipher.update(Buffer.alloc(ACCESS_KEY_LENGTH)), cipher.final()]);
  return new Uint8Array(out.subarray(0, ACCESS_KEY_LENGTH));
}

export function accessKeysEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}

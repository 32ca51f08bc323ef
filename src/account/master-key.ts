/**
 * The account master key (libsignal: "SVR key") and what derives from it.
 *
 * - Created at registration from a fresh Account Entropy Pool (libsignal, 64 chars of a–z0–9, ~330 bits).
 * - Stored in the key-backup service wrapped under the PIN's encryption key with Signal's
 *   HMAC-SHA256-SIV construction (below); the access key authorises the download.
 * - Derived (HMAC-SHA256 keyed with the master key; the tests check these equal libsignal's SvrKey):
 *   registration-lock token (hex), registration recovery password (base64), storage-service key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AccountEntropyPool } from '@signalapp/libsignal-client/dist/AccountKeys.js';
import { ValidationError, WrongPinError } from '../errors.js';

const MASTER_KEY_LENGTH = 32;
const IV_LENGTH = 16;
const WRAPPED_MASTER_KEY_LENGTH = IV_LENGTH + MASTER_KEY_LENGTH;

function hmac(key: Uint8Array, data: Uint8Array | string): Buffer<ArrayBuffer> {
  return createHmac('sha256', key).update(data).digest();
}

function requireKey(key: Uint8Array, what: string): void {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new ValidationError(`The ${what} must be 32 bytes.`);
  }
}

/** A new Account Entropy Pool (the root secret; Signal shows it to users as the "recovery key"). */
export function generateAccountEntropyPool(): string {
  return AccountEntropyPool.generate();
}

/** The master key (SVR key) derived from an Account Entropy Pool. The caller zeroes it when done. */
export function masterKeyFromEntropyPool(accountEntropyPool: string): Buffer<ArrayBuffer> {
  if (!AccountEntropyPool.isValid(accountEntropyPool)) {
    throw new ValidationError('That is not a valid account entropy pool.');
  }
  return Buffer.from(AccountEntropyPool.deriveSvrKey(accountEntropyPool));
}

/**
 * HMAC-SHA256-SIV wrap (Signal's construction for the master key in SVR):
 * Ka = HMAC(K, "auth"), Ke = HMAC(K, "enc"), IV = HMAC(Ka, M)[0..16], C = HMAC(Ke, IV) XOR M.
 * Deterministic (same key and master key → same output), 48 bytes: IV ‖ C.
 */
export function wrapMasterKey(encryptionKey: Uint8Array, masterKey: Uint8Array): Buffer<ArrayBuffer> {
  requireKey(encryptionKey, 'encryption key');
  requireKey(masterKey, 'master key');
  const ka = hmac(encryptionKey, 'auth');
  const ke = hmac(encryptionKey, 'enc');
  const mac = hmac(ka, masterKey);
  const iv = mac.subarray(0, IV_LENGTH);
  const stream = hmac(ke, iv);
  const out = Buffer.alloc(WRAPPED_MASTER_KEY_LENGTH);
  iv.copy(out, 0);
  for (let i = 0; i < MASTER_KEY_LENGTH; i++) out[IV_LENGTH + i] = (stream[i] ?? 0) ^ (masterKey[i] ?? 0);
  for (const b of [ka, ke, mac, stream]) b.fill(0);
  return out;
}

/**
 * Unwrap and verify (recompute the synthetic IV, constant-time compare). A wrong encryption key (wrong
 * PIN) or a tampered blob throws WrongPinError; `triesRemaining` is what the backup service reported,
 * for the message. The caller zeroes the returned master key when done.
 */
export function unwrapMasterKey(
  encryptionKey: Uint8Array,
  wrapped: Uint8Array,
  triesRemaining = 0,
): Buffer<ArrayBuffer> {
  requireKey(encryptionKey, 'encryption key');
  if (!(wrapped instanceof Uint8Array) || wrapped.length !== WRAPPED_MASTER_KEY_LENGTH) {
    throw new ValidationError(`The wrapped master key must be ${WRAPPED_MASTER_KEY_LENGTH} bytes.`);
  }
  const ka = hmac(encryptionKey, 'auth');
  const ke = hmac(encryptionKey, 'enc');
  const iv = wrapped.subarray(0, IV_LENGTH);
  const stream = hmac(ke, iv);
  const masterKey = Buffer.alloc(MASTER_KEY_LENGTH);
  for (let i = 0; i < MASTER_KEY_LENGTH; i++) masterKey[i] = (stream[i] ?? 0) ^ (wrapped[IV_LENGTH + i] ?? 0);
  const mac = hmac(ka, masterKey);
  const ok = timingSafeEqual(mac.subarray(0, IV_LENGTH), iv);
  for (const b of [ka, ke, stream, mac]) b.fill(0);
  if (!ok) {
    masterKey.fill(0);
    throw new WrongPinError(triesRemaining);
  }
  return masterKey;
}

/** Registration-lock token: hex(HMAC-SHA256(masterKey, "Registration Lock")). Sent at re-registration. */
export function deriveRegistrationLockToken(masterKey: Uint8Array): string {
  requireKey(masterKey, 'master key');
  const mac = hmac(masterKey, 'Registration Lock');
  const token = mac.toString('hex');
  mac.fill(0);
  return token;
}

/** Registration recovery password: base64(HMAC-SHA256(masterKey, "Registration Recovery")). */
export function deriveRecoveryPassword(masterKey: Uint8Array): string {
  requireKey(masterKey, 'master key');
  const mac = hmac(masterKey, 'Registration Recovery');
  const password = mac.toString('base64');
  mac.fill(0);
  return password;
}

/** Storage-service key: HMAC-SHA256(masterKey, "Storage Service Encryption"). Caller zeroes it. */
export function deriveStorageKey(masterKey: Uint8Array): Buffer<ArrayBuffer> {
  requireKey(masterKey, 'master key');
  return hmac(masterKey, 'Storage Service Encryption');
}

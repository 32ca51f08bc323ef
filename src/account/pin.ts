/**
 * Signal PIN hashing, with libsignal's own implementation so the construction matches the real Secure
 * Value Recovery (SVR2): argon2id (m = 16 MiB, t = 32, p = 1) over the normalised PIN, salted from the
 * SVR username and the enclave's identity, 64 bytes out: the first 32 are the encryption key (wraps the
 * master key, never leaves the client), the last 32 the access key (proves knowledge of the PIN to the
 * backup service).
 *
 * PINs arrive as strings (the API boundary is JSON); the normalised bytes live in Buffers that are zeroed
 * right after use. JavaScript strings cannot be wiped: callers drop their references as soon as possible.
 */
import { Pin, PinHash } from '@signalapp/libsignal-client/dist/AccountKeys.js';
import { ProtocolError, ValidationError } from '../errors.js';
import { normalizePinString } from './pin-normalize.js';

/**
 * The enclave id the demo network uses for PIN hashing. libsignal derives the SVR2 salt from the
 * enclave's raft group id and only accepts MRENCLAVE values it knows, so the demo uses a genuine SVR2
 * enclave measurement (public, compiled into libsignal 0.100.0). Nothing is sent to that enclave: the
 * demo key-backup service (src/demo/svr) is a local stand-in.
 */
const DEMO_SVR2_ENCLAVE_ID_HEX = '97f151f6ed078edbbfd72fa9cae694dcc08353f1f5e8d9ccd79a971b10ffc535';

export function demoEnclaveId(): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(DEMO_SVR2_ENCLAVE_ID_HEX, 'hex'));
}

/** A generous cap: longer input is refused before any hashing (no DoS through huge strings). */
const MAX_PIN_LENGTH = 256;

/** The normalised PIN as UTF-8 bytes. The caller zeroes the returned Buffer (`fill(0)`) when done. */
export function normalizePin(pin: string): Buffer<ArrayBuffer> {
  if (typeof pin !== 'string') throw new ValidationError('The PIN must be text.');
  const normalized = normalizePinString(pin);
  if (normalized.length === 0) throw new ValidationError('The PIN is empty.');
  if ([...normalized].length > MAX_PIN_LENGTH) {
    throw new ValidationError(`The PIN is longer than ${MAX_PIN_LENGTH} characters.`);
  }
  const bytes = Buffer.alloc(Buffer.byteLength(normalized, 'utf8'));
  bytes.write(normalized, 'utf8');
  return bytes;
}

export interface SvrPinKeys {
  /** 32 bytes: wraps the master key (HMAC-SHA256-SIV). Never leaves the client. */
  readonly encryptionKey: Buffer<ArrayBuffer>;
  /** 32 bytes: authorises reading the backup from the key-backup service. */
  readonly accessKey: Buffer<ArrayBuffer>;
}

/** Zero both keys. */
export function wipePinKeys(keys: SvrPinKeys): void {
  keys.encryptionKey.fill(0);
  keys.accessKey.fill(0);
}

/**
 * PinHash.fromUsernameMrenclave: argon2id at SVR2's parameters (~0.2 s per call on one core of the dev
 * machine). `svrUsername` is the Basic-auth username of the account's SVR credentials (stable for an
 * account across re-registration), `enclaveId` the enclave's MRENCLAVE.
 */
export function hashPinForSvr(
  pin: string,
  svrUsername: string,
  enclaveId: Uint8Array<ArrayBuffer>,
): SvrPinKeys {
  if (!svrUsername) throw new ProtocolError('The key-backup username is missing.');
  const normalized = normalizePin(pin);
  try {
    const hash = PinHash.fromUsernameMrenclave(normalized, svrUsername, enclaveId);
    const encryptionKey = Buffer.from(hash.encryptionKey);
    const accessKey = Buffer.from(hash.accessKey);
    return { encryptionKey, accessKey };
  } catch (error) {
    throw new ValidationError('The PIN could not be hashed for this key-backup enclave.', { cause: error });
  } finally {
    normalized.fill(0);
  }
}

/** A PHC-encoded local hash (libsignal Pin.localHash, argon2) for reminders. Stores no PIN. */
export function localPinHash(pin: string): string {
  const normalized = normalizePin(pin);
  try {
    return Pin.localHash(normalized);
  } finally {
    normalized.fill(0);
  }
}

/** Whether `pin` matches a hash made by localPinHash. Malformed hashes and PINs read as "no match". */
export function verifyLocalPin(encodedHash: string, pin: string): boolean {
  let normalized: Buffer<ArrayBuffer>;
  try {
    normalized = normalizePin(pin);
  } catch {
    return false;
  }
  try {
    return Pin.verifyLocalHash(encodedHash, normalized);
  } catch {
    return false;
  } finally {
    normalized.fill(0);
  }
}

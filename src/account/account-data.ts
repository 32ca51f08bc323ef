/**
 * Account data for the storage service: profile, settings, contacts, blocked list and the identity key
 * pairs (so contacts' safety numbers survive a recovery) — never messages. Encrypted with AES-256-GCM
 * under a key derived from the storage key (itself derived from the master key), so the server stores
 * only ciphertext and only the PIN (via the key backup) or the master key can open it.
 *
 * Blob format (version 1): 0x01 ‖ nonce (12 random bytes) ‖ ciphertext ‖ GCM tag (16 bytes), with the
 * format label as additional authenticated data. Any change to any byte → DecryptionError.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DecryptionError, ValidationError } from '../errors.js';
import { settingsSchema } from '../settings/schema.js';

const VERSION = 1;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const AAD = Buffer.from('carapace-account-data-v1');
const KEY_LABEL = 'Carapace Account Data v1';

const base64 = z
  .string()
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64')
  .max(16_384);

const accountContactSchema = z
  .object({
    serviceId: z.string().min(1).max(64),
    name: z.string().max(256).optional(),
    /** The contact's identity key as we last saw it (base64), for the safety number. */
    identityKey: base64.optional(),
    verified: z.boolean().optional(),
  })
  .strict();

/** `.strict()`: an unknown field (e.g. `messages`) is rejected, so message content can never be added. */
export const accountDataSchema = z
  .object({
    version: z.literal(1),
    profile: z
      .object({
        givenName: z.string().max(128),
        familyName: z.string().max(128).optional(),
        about: z.string().max(512).optional(),
      })
      .strict(),
    settings: settingsSchema,
    contacts: z.array(accountContactSchema).max(50_000),
    blocked: z.array(z.string().min(1).max(64)).max(50_000),
    /** Serialized libsignal IdentityKeyPair (base64) per identity. */
    identity: z
      .object({
        aciIdentityKeyPair: base64,
        pniIdentityKeyPair: base64.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type AccountData = z.infer<typeof accountDataSchema>;

/** The AES-256-GCM key for account data: HMAC-SHA256(storageKey, label). Caller zeroes it. */
function deriveAccountDataKey(storageKey: Uint8Array): Buffer {
  if (!(storageKey instanceof Uint8Array) || storageKey.length !== 32) {
    throw new ValidationError('The storage key must be 32 bytes.');
  }
  return createHmac('sha256', storageKey).update(KEY_LABEL).digest();
}

export function encryptAccountData(storageKey: Uint8Array, data: AccountData): Buffer {
  const parsed = accountDataSchema.safeParse(data);
  if (!parsed.success) throw new ValidationError('The account data is not in the expected shape.');
  const key = deriveAccountDataKey(storageKey);
  const plaintext = Buffer.from(JSON.stringify(parsed.data), 'utf8');
  try {
    const nonce = randomBytes(NONCE_LENGTH);
    const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_LENGTH });
    cipher.setAAD(AAD);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), nonce, body, cipher.getAuthTag()]);
  } finally {
    key.fill(0);
    plaintext.fill(0);
  }
}

export function decryptAccountData(storageKey: Uint8Array, blob: Uint8Array): AccountData {
  if (!(blob instanceof Uint8Array) || blob.length < 1 + NONCE_LENGTH + TAG_LENGTH) {
    throw new DecryptionError('The account data blob is truncated.');
  }
  if (blob[0] !== VERSION) throw new DecryptionError('Unknown account data format version.');
  const key = deriveAccountDataKey(storageKey);
  const nonce = blob.subarray(1, 1 + NONCE_LENGTH);
  const tag = blob.subarray(blob.length - TAG_LENGTH);
  const body = blob.subarray(1 + NONCE_LENGTH, blob.length - TAG_LENGTH);
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_LENGTH });
    decipher.setAAD(AAD);
    decipher.setAuthTag(tag);
    plaintext = Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (error) {
    throw new DecryptionError('The account data could not be decrypted (wrong key or tampered).', {
      cause: error,
    });
  } finally {
    key.fill(0);
  }
  try {
    const parsed = accountDataSchema.safeParse(JSON.parse(plaintext.toString('utf8')));
    if (!parsed.success)
      throw new DecryptionError('The decrypted account data is not in the expected shape.');
    return parsed.data;
  } catch (error) {
    if (error instanceof DecryptionError) throw error;
    throw new DecryptionError('The decrypted account data is not valid JSON.');
  } finally {
    plaintext.fill(0);
  }
}

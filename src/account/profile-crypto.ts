/**
 * Signal's profile-field encryption (public format, as Signal-Desktop's `encryptProfileItemWithPadding`):
 * AES-256-GCM under the 32-byte profile key, a random 12-byte nonce, output nonce ‖ ciphertext ‖ tag. The
 * plaintext is zero-padded to the smallest of a few fixed sizes, so the ciphertext's length says little
 * about the text. The name is `given` NUL `family`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { FieldValidationError } from './usernames.js';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Signal's padded plaintext sizes (bytes of UTF-8). */
export const PADDED_LENGTHS = { name: [53, 257], about: [128, 254, 512] } as const;

export type ProfileField = keyof typeof PADDED_LENGTHS;

function encrypt(plaintext: Uint8Array, profileKey: Uint8Array): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', profileKey, nonce);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]);
}

/** Encrypts one field, padded; INVALID_INPUT (naming `formField`) when it is too long once encoded. */
export function encryptProfileField(
  field: ProfileField,
  text: string,
  profileKey: Uint8Array,
  formField: string = field,
): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const size = PADDED_LENGTHS[field].find((length) => length >= bytes.length);
  if (size === undefined) {
    const max = PADDED_LENGTHS[field].at(-1) ?? 0;
    throw new FieldValidationError(`That is too long (at most ${max} bytes of text).`, [formField]);
  }
  const padded = Buffer.alloc(size);
  bytes.copy(padded);
  return encrypt(padded, profileKey);
}

/** One byte, unpadded: whether we share our phone number (Signal's `phoneNumberSharing`). */
export function encryptProfileFlag(value: boolean, profileKey: Uint8Array): Buffer {
  return encrypt(Uint8Array.of(value ? 1 : 0), profileKey);
}

export function encryptProfileName(
  name: { readonly givenName: string; readonly familyName: string | null },
  profileKey: Uint8Array,
): Buffer {
  const full = name.familyName ? `${name.givenName}\0${name.familyName}` : name.givenName;
  return encryptProfileField('name', full, profileKey, name.familyName ? 'familyName' : 'givenName');
}

/** Why a field could not be read; the name then stays unknown. */
export type ProfileDecryptFailure = 'malformed' | 'undecryptable' | 'too-long' | 'not-utf8';

export type Decrypted<T> = { ok: true; value: T } | { ok: false; failure: ProfileDecryptFailure };

function decryptField(ciphertext: Uint8Array, profileKey: Uint8Array, maxPlain: number): Decrypted<string> {
  if (ciphertext.length < NONCE_BYTES + TAG_BYTES) return { ok: false, failure: 'malformed' };
  if (ciphertext.length > NONCE_BYTES + maxPlain + TAG_BYTES) return { ok: false, failure: 'too-long' };
  const bytes = Buffer.from(ciphertext);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', profileKey, bytes.subarray(0, NONCE_BYTES));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    plain = Buffer.concat([
      decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    return { ok: false, failure: 'undecryptable' };
  }
  let end = plain.length;
  while (end > 0 && plain[end - 1] === 0) end -= 1;
  try {
    return { ok: true, value: new TextDecoder('utf-8', { fatal: true }).decode(plain.subarray(0, end)) };
  } catch {
    return { ok: false, failure: 'not-utf8' };
  }
}

/** Characters a name must not carry into the UI: controls and bidi marks/overrides (spoofing). */
function isUnsafe(codePoint: number): boolean {
  return (
    codePoint < 0x20 ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    codePoint === 0x200e ||
    codePoint === 0x200f ||
    (codePoint >= 0x202a && codePoint <= 0x202e) ||
    (codePoint >= 0x2066 && codePoint <= 0x2069)
  );
}

function clean(text: string): string {
  return [...text]
    .filter((ch) => !isUnsafe(ch.codePointAt(0) ?? 0))
    .join('')
    .trim();
}

/** A contact's name from their encrypted profile: given and family, cleaned; a typed failure otherwise. */
export function decryptProfileName(
  ciphertext: Uint8Array,
  profileKey: Uint8Array,
): Decrypted<{ givenName: string; familyName: string | null }> {
  const maxPlain = PADDED_LENGTHS.name.at(-1) ?? 0;
  const text = decryptField(ciphertext, profileKey, maxPlain);
  if (!text.ok) return text;
  const [given = '', family = ''] = text.value.split('\0');
  const givenName = clean(given);
  const familyName = clean(family);
  if (givenName === '') return { ok: false, failure: 'malformed' };
  return { ok: true, value: { givenName, familyName: familyName === '' ? null : familyName } };
}

/**
 * Signal usernames with libsignal's `usernames` module: candidates, hashes, proofs and username links,
 * and the link's URL in Signal's format. Pure functions (no network); every library rule that fails
 * becomes INVALID_INPUT naming the rule, never the text typed.
 */
import { ErrorCode, usernames } from '@signalapp/libsignal-client';
import { ValidationError } from '../errors.js';
import { isLibSignalError } from '../signal/libsignal-errors.js';

/** Signal's current nickname bounds (its remote config `global.nicknames.min/max`). */
const NICKNAME_MIN = 3;
const NICKNAME_MAX = 32;

const LINK_PREFIX = 'https://signal.me/#eu/';
const ENTROPY_BYTES = 32;
const HANDLE_BYTES = 16;

/** INVALID_INPUT that names the form field at fault (`nickname`, `discriminator`, `username`, …). */
export class FieldValidationError extends ValidationError {
  constructor(
    message: string,
    readonly fields: readonly string[],
  ) {
    super(message);
  }
}

const RULES: ReadonlyArray<readonly [ErrorCode, 'nickname' | 'discriminator' | 'username', string]> = [
  [ErrorCode.NicknameCannotBeEmpty, 'nickname', 'The name part is empty.'],
  [ErrorCode.CannotStartWithDigit, 'nickname', 'A username cannot start with a digit.'],
  [ErrorCode.MissingSeparator, 'username', 'A username ends in a dot and digits, like alice.42.'],
  [ErrorCode.BadNicknameCharacter, 'nickname', 'Use only letters a–z, digits and _ in a username.'],
  [
    ErrorCode.NicknameTooShort,
    'nickname',
    `The name part is too short (at least ${NICKNAME_MIN} characters).`,
  ],
  [ErrorCode.NicknameTooLong, 'nickname', `The name part is too long (at most ${NICKNAME_MAX} characters).`],
  [ErrorCode.DiscriminatorCannotBeEmpty, 'discriminator', 'The digits after the dot are missing.'],
  [ErrorCode.DiscriminatorCannotBeZero, 'discriminator', 'The digits after the dot cannot be all zeros.'],
  [ErrorCode.DiscriminatorCannotBeSingleDigit, 'discriminator', 'Use at least 2 digits after the dot.'],
  [
    ErrorCode.DiscriminatorCannotHaveLeadingZeros,
    'discriminator',
    'The digits after the dot cannot start with 0 (except 01–09).',
  ],
  [ErrorCode.BadDiscriminatorCharacter, 'discriminator', 'Use only digits after the dot.'],
  [ErrorCode.DiscriminatorTooLarge, 'discriminator', 'The number after the dot is too large.'],
];

/**
 * Runs a libsignal username step; a rule it refuses becomes a FieldValidationError. `field` renames the
 * rule's field for forms with one input (the new-chat field is `username` whatever part is wrong).
 */
function checked<T>(step: () => T, field?: string): T {
  try {
    return step();
  } catch (error) {
    for (const [code, ruleField, message] of RULES) {
      if (isLibSignalError(error, code)) throw new FieldValidationError(message, [field ?? ruleField]);
    }
    throw error;
  }
}

export interface UsernameCandidate {
  readonly username: string;
  readonly nickname: string;
  readonly discriminator: string;
  readonly hash: Uint8Array;
}

function candidate(username: string, hash?: Uint8Array): UsernameCandidate {
  const dot = username.lastIndexOf('.');
  return {
    username,
    nickname: username.slice(0, dot),
    discriminator: username.slice(dot + 1),
    hash: hash ?? usernames.hash(username),
  };
}

/** The candidates to reserve: the chosen discriminator, or libsignal's random ones. */
export function usernameCandidates(nickname: string, discriminator?: string): UsernameCandidate[] {
  if (discriminator !== undefined) {
    const { username, hash } = checked(() =>
      usernames.fromParts(nickname, discriminator, NICKNAME_MIN, NICKNAME_MAX),
    );
    return [candidate(username, hash)];
  }
  return checked(() => usernames.generateCandidates(nickname, NICKNAME_MIN, NICKNAME_MAX)).map((u) =>
    candidate(u),
  );
}

/** A typed username (`alice.42`) checked by libsignal; errors name `field`. */
export function parseUsername(text: string, field = 'username'): UsernameCandidate {
  const dot = text.lastIndexOf('.');
  if (dot < 0) throw new FieldValidationError('A username ends in a dot and digits, like alice.42.', [field]);
  const { username, hash } = checked(
    () => usernames.fromParts(text.slice(0, dot), text.slice(dot + 1), NICKNAME_MIN, NICKNAME_MAX),
    field,
  );
  return candidate(username, hash);
}

/** The zero-knowledge proof that `username` hashes to what we reserved (the server verifies it). */
export function usernameProof(username: string): Uint8Array {
  return usernames.generateProof(username);
}

/** A username link's secret half (kept here and in the URL) and its ciphertext (stored by the server). */
export interface UsernameLinkSecret {
  readonly entropy: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** Encrypts `username` for a link under fresh entropy (a new link: the old URL stops working). */
export function encryptUsernameForLink(username: string): UsernameLinkSecret {
  const link = usernames.createUsernameLink(username);
  return { entropy: link.entropy, ciphertext: link.encryptedUsername };
}

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/** Signal's link URL: `https://signal.me/#eu/` + base64url(entropy ‖ handle UUID bytes), unpadded. */
export function usernameLinkUrl(entropy: Uint8Array, handle: string): string {
  return LINK_PREFIX + Buffer.concat([Buffer.from(entropy), uuidBytes(handle)]).toString('base64url');
}

const DAMAGED_LINK = 'That username link is damaged; ask for the link or QR code again.';

/** The entropy and server handle in a pasted or scanned link; INVALID_INPUT (`usernameLink`) otherwise. */
export function parseUsernameLink(text: string): { entropy: Buffer; handle: Buffer } {
  const trimmed = text.trim();
  const rest = ['https://signal.me/#eu/', 'signal.me/#eu/', 'sgnl://signal.me/#eu/']
    .filter((prefix) => trimmed.toLowerCase().startsWith(prefix.toLowerCase()))
    .map((prefix) => trimmed.slice(prefix.length))[0];
  if (rest === undefined) {
    throw new FieldValidationError(
      'A username link starts with https://signal.me/#eu/ (copy it again, or scan its QR code).',
      ['usernameLink'],
    );
  }
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(rest)) throw new FieldValidationError(DAMAGED_LINK, ['usernameLink']);
  const bytes = Buffer.from(rest.replace(/=+$/, ''), 'base64url');
  if (bytes.length !== ENTROPY_BYTES + HANDLE_BYTES) {
    throw new FieldValidationError(DAMAGED_LINK, ['usernameLink']);
  }
  const handle = bytes.subarray(ENTROPY_BYTES);
  // The handle is an RFC 4122 UUID (the server issues v4): version nibble 1–8, variant bits 10.
  const version = (handle[6] ?? 0) >> 4;
  if (version < 1 || version > 8 || ((handle[8] ?? 0) & 0xc0) !== 0x80) {
    throw new FieldValidationError(DAMAGED_LINK, ['usernameLink']);
  }
  return { entropy: bytes.subarray(0, ENTROPY_BYTES), handle };
}

/** The username inside a link's ciphertext; a wrong entropy or tampered ciphertext → INVALID_INPUT. */
export function decryptUsernameFromLink(entropy: Uint8Array, ciphertext: Uint8Array): UsernameCandidate {
  let username: string;
  try {
    username = usernames.decryptUsernameLink({
      entropy: Buffer.from(entropy),
      encryptedUsername: Buffer.from(ciphertext),
    });
  } catch (error) {
    if (
      isLibSignalError(error, ErrorCode.InvalidEntropyDataLength) ||
      isLibSignalError(error, ErrorCode.InvalidUsernameLinkEncryptedData) ||
      isLibSignalError(error, ErrorCode.InputDataTooLong)
    ) {
      throw new FieldValidationError(DAMAGED_LINK, ['usernameLink']);
    }
    throw error;
  }
  return parseUsername(username, 'usernameLink');
}

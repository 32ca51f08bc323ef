/**
 * The vault header: a small, non-secret, versioned JSON file beside the DB saying how to get the key.
 *
 * Version 2 (written by this build): `current` names the Argon2id salt and parameters and carries the
 * random vault key wrapped under them (key-wrap.ts); `duress` is ALWAYS present — a wrap made with the
 * duress passphrase under the same salt and parameters, or random bytes of the same length when none is
 * set — so an examiner cannot tell whether a duress passphrase exists. `pending` exists only while a
 * rekey is under way: if a crash interrupts it, unlock tries `current` first, then `pending`, and commits
 * whichever works. Nothing else is ever written: a header says nothing about a duress erase (erase.ts).
 * Version 1 (older builds) had no wrap (the Argon2id output was the DB key) and no duress slot; it is read,
 * and the next unlock migrates it (a rekey to a random wrapped key).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { VaultCorruptError } from '../errors.js';
import { writeFileAtomic } from './fs-util.js';
import type { KdfParams } from './kdf.js';
import { SALT_BYTES, kdfParamsProblem } from './kdf.js';
import { isWrap, randomWrap } from './key-wrap.js';

export const HEADER_FORMAT = 'carapace-vault';
export const HEADER_VERSION = 2;
const LEGACY_VERSION = 1;

export interface Argon2Slot extends KdfParams {
  readonly kind: 'argon2id';
  /** base64 of 16 random bytes. */
  readonly salt: string;
  /** The vault key wrapped under this slot's key; absent only in a version-1 slot (derived key = DB key). */
  readonly wrapped?: string;
}

/** "No passphrase" mode: a random key in a 0600 file (explicit, insecure opt-in). */
export interface KeyFileSlot {
  readonly kind: 'keyfile';
}

export type KeySlot = Argon2Slot | KeyFileSlot;

export interface VaultHeader {
  readonly format: typeof HEADER_FORMAT;
  readonly version: typeof HEADER_VERSION | typeof LEGACY_VERSION;
  readonly current: KeySlot;
  readonly pending?: KeySlot;
  /** Version 2: the duress slot (a wrap, or random bytes of the same length). */
  readonly duress?: string;
}

/** A header is a few hundred bytes; anything much larger is damage (and not worth reading). */
const MAX_HEADER_BYTES = 16 * 1024;

/** Exactly SALT_BYTES, in canonical base64 (the lenient decoder would skip junk characters). */
function isSalt(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    Buffer.from(value, 'base64').length === SALT_BYTES &&
    Buffer.from(value, 'base64').toString('base64') === value
  );
}

function parseSlot(value: unknown, legacy: boolean): KeySlot {
  const slot = value as Record<string, unknown> | null;
  if (slot?.kind === 'keyfile') return { kind: 'keyfile' };
  if (slot?.kind !== 'argon2id') throw new VaultCorruptError('The vault header has an unknown key slot.');
  const { salt, memoryKiB, timeCost, parallelism, wrapped } = slot;
  if (!isSalt(salt)) throw new VaultCorruptError('The vault header has a damaged salt.');
  const problem = kdfParamsProblem({ memoryKiB, timeCost, parallelism });
  if (problem !== undefined)
    throw new VaultCorruptError(`The vault header's key parameters are unusable (${problem}).`);
  if (wrapped !== undefined && !isWrap(wrapped))
    throw new VaultCorruptError('The vault header has a damaged key.');
  if (wrapped === undefined && !legacy) throw new VaultCorruptError('The vault header has no key.');
  // kdfParamsProblem checked each is a safe integer in range.
  const params = {
    memoryKiB: memoryKiB as number,
    timeCost: timeCost as number,
    parallelism: parallelism as number,
  };
  return wrapped === undefined
    ? { kind: 'argon2id', salt, ...params }
    : { kind: 'argon2id', salt, ...params, wrapped };
}

/**
 * Parses and bounds the header: any damage or out-of-range parameter is VaultCorruptError, so unlock
 * fails before any key derivation and without counting a guess.
 */
function parseHeader(text: string): VaultHeader {
  let raw: Record<string, unknown> | null;
  try {
    raw = JSON.parse(text) as Record<string, unknown> | null;
  } catch (error) {
    throw new VaultCorruptError('The vault header is not valid JSON.', { cause: error });
  }
  if (raw?.format !== HEADER_FORMAT) throw new VaultCorruptError('Not a Carapace vault header.');
  if (raw.version === LEGACY_VERSION) {
    const current = parseSlot(raw.current, true);
    return raw.pending === undefined
      ? { format: HEADER_FORMAT, version: LEGACY_VERSION, current }
      : { format: HEADER_FORMAT, version: LEGACY_VERSION, current, pending: parseSlot(raw.pending, true) };
  }
  if (raw.version !== HEADER_VERSION) {
    throw new VaultCorruptError('This vault was written by a newer Carapace (unknown header version).');
  }
  // A migration from version 1 may leave a version-1 `current` beside a wrapped `pending`.
  const current = parseSlot(raw.current, raw.pending !== undefined);
  const pending = raw.pending === undefined ? undefined : parseSlot(raw.pending, false);
  if (!isWrap(raw.duress)) throw new VaultCorruptError('The vault header has a damaged slot.');
  return makeHeader(current, { duress: raw.duress, ...(pending ? { pending } : {}) });
}

export function readHeader(path: string): VaultHeader | undefined {
  if (!existsSync(path)) return undefined;
  if (statSync(path).size > MAX_HEADER_BYTES) throw new VaultCorruptError('The vault header is too large.');
  return parseHeader(readFileSync(path, 'utf8'));
}

export function writeHeader(path: string, header: VaultHeader): void {
  writeFileAtomic(path, Buffer.from(`${JSON.stringify(header, null, 2)}\n`, 'utf8'), 0o600);
}

/** A version-2 header; the duress slot is random unless given (fields in one fixed order). */
export function makeHeader(
  current: KeySlot,
  extra: { readonly pending?: KeySlot; readonly duress?: string } = {},
): VaultHeader {
  return {
    format: HEADER_FORMAT,
    version: HEADER_VERSION,
    current,
    ...(extra.pending ? { pending: extra.pending } : {}),
    duress: extra.duress ?? randomWrap(),
  };
}

/** A wrapped Argon2id slot (fields in one fixed order, so every header has the same shape). */
export function argon2Slot(params: KdfParams, salt: Buffer | string, wrapped: string): Argon2Slot {
  return {
    kind: 'argon2id',
    salt: typeof salt === 'string' ? salt : salt.toString('base64'),
    memoryKiB: params.memoryKiB,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
    wrapped,
  };
}

/**
 * The vault header: a small, non-secret, versioned JSON file beside the DB saying how to get the key.
 * `current` is the key source the DB is encrypted with. `pending` exists only while a rekey is under way:
 * if a crash interrupts it, unlock tries `current` first, then `pending`, and commits whichever works.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { VaultCorruptError } from '../errors.js';
import { writeFileAtomic } from './fs-util.js';
import type { KdfParams } from './kdf.js';
import { SALT_BYTES, kdfParamsProblem } from './kdf.js';

export const HEADER_FORMAT = 'carapace-vault';
export const HEADER_VERSION = 1;

export interface Argon2Slot extends KdfParams {
  readonly kind: 'argon2id';
  /** base64 of 16 random bytes. */
  readonly salt: string;
}

/** "No passphrase" mode: a random key in a 0600 file (explicit, insecure opt-in). */
export interface KeyFileSlot {
  readonly kind: 'keyfile';
}

export type KeySlot = Argon2Slot | KeyFileSlot;

export interface VaultHeader {
  readonly format: typeof HEADER_FORMAT;
  readonly version: typeof HEADER_VERSION;
  readonly current: KeySlot;
  readonly pending?: KeySlot;
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

function parseSlot(value: unknown): KeySlot {
  const slot = value as Record<string, unknown> | null;
  if (slot?.kind === 'keyfile') return { kind: 'keyfile' };
  if (slot?.kind !== 'argon2id') throw new VaultCorruptError('The vault header has an unknown key slot.');
  const { salt, memoryKiB, timeCost, parallelism } = slot;
  if (!isSalt(salt)) throw new VaultCorruptError('The vault header has a damaged salt.');
  const problem = kdfParamsProblem({ memoryKiB, timeCost, parallelism });
  if (problem !== undefined)
    throw new VaultCorruptError(`The vault header's key parameters are unusable (${problem}).`);
  // kdfParamsProblem checked each is a safe integer in range.
  return {
    kind: 'argon2id',
    salt,
    memoryKiB: memoryKiB as number,
    timeCost: timeCost as number,
    parallelism: parallelism as number,
  };
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
  if (raw.version !== HEADER_VERSION) {
    throw new VaultCorruptError('This vault was written by a newer Carapace (unknown header version).');
  }
  const current = parseSlot(raw.current);
  return raw.pending === undefined
    ? { format: HEADER_FORMAT, version: HEADER_VERSION, current }
    : { format: HEADER_FORMAT, version: HEADER_VERSION, current, pending: parseSlot(raw.pending) };
}

export function readHeader(path: string): VaultHeader | undefined {
  if (!existsSync(path)) return undefined;
  if (statSync(path).size > MAX_HEADER_BYTES) throw new VaultCorruptError('The vault header is too large.');
  return parseHeader(readFileSync(path, 'utf8'));
}

export function writeHeader(path: string, header: VaultHeader): void {
  writeFileAtomic(path, Buffer.from(`${JSON.stringify(header, null, 2)}\n`, 'utf8'), 0o600);
}

export function makeHeader(current: KeySlot, pending?: KeySlot): VaultHeader {
  return pending
    ? { format: HEADER_FORMAT, version: HEADER_VERSION, current, pending }
    : { format: HEADER_FORMAT, version: HEADER_VERSION, current };
}

export function argon2Slot(params: KdfParams, salt: Buffer): Argon2Slot {
  return {
    kind: 'argon2id',
    salt: salt.toString('base64'),
    memoryKiB: params.memoryKiB,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
  };
}

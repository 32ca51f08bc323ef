/**
 * The vault header: a small, non-secret, versioned JSON file beside the DB saying how to get the key.
 * `current` is the key source the DB is encrypted with. `pending` exists only while a rekey is under way:
 * if a crash interrupts it, unlock tries `current` first, then `pending`, and commits whichever works.
 */
import { existsSync, readFileSync } from 'node:fs';
import { VaultCorruptError } from '../errors.js';
import { writeFileAtomic } from './fs-util.js';
import type { KdfParams } from './kdf.js';
import { SALT_BYTES } from './kdf.js';

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

function positiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function parseSlot(value: unknown): KeySlot {
  const slot = value as Record<string, unknown> | null;
  if (slot && slot.kind === 'keyfile') return { kind: 'keyfile' };
  if (
    slot &&
    slot.kind === 'argon2id' &&
    typeof slot.salt === 'string' &&
    Buffer.from(slot.salt, 'base64').length === SALT_BYTES &&
    positiveInt(slot.memoryKiB) &&
    positiveInt(slot.timeCost) &&
    positiveInt(slot.parallelism)
  ) {
    return {
      kind: 'argon2id',
      salt: slot.salt,
      memoryKiB: slot.memoryKiB,
      timeCost: slot.timeCost,
      parallelism: slot.parallelism,
    };
  }
  throw new VaultCorruptError('The vault header has an unknown key slot.');
}

export function parseHeader(text: string): VaultHeader {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
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

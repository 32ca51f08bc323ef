/**
 * Passphrase → 32-byte vault key with Argon2id (RFC 9106).
 *
 * Defaults: 64 MiB, 3 passes, 4 lanes — RFC 9106's "second recommended option" for machines where 2 GiB
 * per hash is too much. Memory is the cost that hurts GPU/ASIC guessing; 3 passes over it is the RFC's
 * choice at this size; 4 lanes let argon2 use several cores so the user's wait stays short (the
 * attacker's cost per guess is the same for any lane count). Measured unlock cost on the 2-core
 * development machine: ~0.1–0.2 s (see bench/vault.bench.ts). Parameters and salt live in the header,
 * so they can be raised later: an unlock with weaker stored parameters re-derives and rekeys.
 */
import argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { KEY_BYTES } from './driver.js';

export interface KdfParams {
  /** Argon2 memory cost in KiB. */
  readonly memoryKiB: number;
  /** Argon2 passes over memory. */
  readonly timeCost: number;
  /** Argon2 lanes. */
  readonly parallelism: number;
}

export const DEFAULT_KDF_PARAMS: KdfParams = Object.freeze({
  memoryKiB: 64 * 1024,
  timeCost: 3,
  parallelism: 4,
});

export const SALT_BYTES = 16;

export function resolveKdfParams(partial?: Partial<KdfParams>): KdfParams {
  const params = { ...DEFAULT_KDF_PARAMS, ...partial };
  for (const [name, value] of Object.entries(params)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`invalid KDF parameter ${name}`);
  }
  if (params.memoryKiB < 8 * params.parallelism)
    throw new RangeError('argon2 memory must be ≥ 8 KiB per lane');
  return params;
}

/** True if `stored` is weaker than `target` in any dimension that costs an attacker. */
export function isWeaker(stored: KdfParams, target: KdfParams): boolean {
  return stored.memoryKiB < target.memoryKiB || stored.timeCost < target.timeCost;
}

export function newSalt(): Buffer {
  return randomBytes(SALT_BYTES);
}

/**
 * Derives the raw key. The passphrase Buffer is read, not kept or modified (the caller zeroes it).
 * The returned Buffer belongs to the caller, who must `fill(0)` it when done.
 */
export async function deriveKey(passphrase: Buffer, salt: Buffer, params: KdfParams): Promise<Buffer> {
  return argon2.hash(passphrase, {
    type: argon2.argon2id,
    raw: true,
    hashLength: KEY_BYTES,
    salt,
    memoryCost: params.memoryKiB,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
    version: 0x13,
  });
}

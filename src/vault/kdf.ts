/**
 * Passphrase → 32-byte vault key with Argon2id (RFC 9106).
 *
 * Defaults: 64 MiB, 3 passes, 4 lanes — RFC 9106's "second recommended option" for machines where 2 GiB
 * per hash is too much. Memory is the cost that hurts GPU/ASIC guessing; 3 passes over it is the RFC's
 * choice at this size; 4 lanes let argon2 use several cores so the user's wait stays short (the
 * attacker's cost per guess is the same for any lane count). Measured unlock cost on the 2-core
 * development machine: ~0.1–0.2 s (see bench/vault.bench.ts). Parameters and salt live in the header,
 * so they can be raised later: an unlock with weaker stored parameters re-derives and rekeys. The header
 * is not authenticated, so what it says is bounded (kdfParamsProblem, storedKdfFloor) before any run.
 */
import argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { argon2RawHash } from './argon2-hygiene.js';
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

/**
 * Bounds on any Argon2 parameters, configured or read from the (unauthenticated) header. Above them an
 * unlock would block for minutes or exhaust memory: 4 GiB is twice RFC 9106's first recommended option,
 * 32 passes ten times our default, 16 lanes more than a desktop needs, and memory × passes at most 16 GiB
 * (≈ 85× the default's work). Below 8 KiB per lane Argon2 itself refuses.
 */
export const MAX_KDF_MEMORY_KIB = 4 * 1024 * 1024;
const MAX_KDF_TIME_COST = 32;
const MAX_KDF_PARALLELISM = 16;
const MAX_KDF_WORK_KIB = 4 * MAX_KDF_MEMORY_KIB;

/**
 * The weakest stored parameters a vault with production parameters accepts: today's defaults (lanes do
 * not change an attacker's cost per guess, so any count from 1). No Carapace build ever wrote weaker
 * ones, so a weaker header is tampering or a fast-KDF test profile, never a user's vault.
 */
export const KDF_FLOOR: KdfParams = Object.freeze({ memoryKiB: 64 * 1024, timeCost: 3, parallelism: 1 });
const ARGON2_MINIMUM: KdfParams = Object.freeze({ memoryKiB: 8, timeCost: 1, parallelism: 1 });

/** Why these parameters are unusable (a short, input-free phrase), or undefined when they are in bounds. */
export function kdfParamsProblem(params: Readonly<Record<keyof KdfParams, unknown>>): string | undefined {
  const { memoryKiB, timeCost, parallelism } = params;
  const inRange = (value: unknown, max: number): value is number =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= max;
  if (!inRange(memoryKiB, MAX_KDF_MEMORY_KIB)) return 'memory cost out of range';
  if (!inRange(timeCost, MAX_KDF_TIME_COST)) return 'time cost out of range';
  if (!inRange(parallelism, MAX_KDF_PARALLELISM)) return 'parallelism out of range';
  if (memoryKiB < 8 * parallelism) return 'memory below 8 KiB per lane';
  if (memoryKiB * timeCost > MAX_KDF_WORK_KIB) return 'memory × passes out of range';
  return undefined;
}

/** Parameters for new keys: the defaults with `partial` applied, within the same bounds as a header. */
export function resolveKdfParams(partial?: Partial<KdfParams>): KdfParams {
  const params = { ...DEFAULT_KDF_PARAMS, ...partial };
  const problem = kdfParamsProblem(params);
  if (problem) throw new RangeError(`invalid KDF parameters: ${problem}`);
  return params;
}

/**
 * The weakest stored parameters a vault that writes `configured` accepts. With production parameters,
 * KDF_FLOOR. A vault configured below the floor (only tests and the e2e harness's fast-KDF profiles
 * pass such `kdf` options; the app passes none) writes weak headers itself, so it must read them.
 */
export function storedKdfFloor(configured: KdfParams): KdfParams {
  return isWeaker(configured, KDF_FLOOR) ? ARGON2_MINIMUM : KDF_FLOOR;
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
  return argon2RawHash(passphrase, {
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

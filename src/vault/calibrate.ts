/**
 * Argon2id parameters tuned to this machine: at profile creation the cost is raised from the floor
 * (64 MiB, t = 3) until one derivation takes about the target time (default ≈ 1 s). Memory grows first —
 * it is what makes GPU/ASIC guessing expensive — up to a bound that keeps a desktop responsive; then
 * passes. The result is stored in the header like any parameters (and bounded again when read).
 */
import { randomBytes } from 'node:crypto';
import { deriveKey, kdfParamsProblem, newSalt, type KdfParams } from './kdf.js';

const DEFAULT_UNLOCK_TARGET_MS = 1000;
/** Calibration never asks for more than 1 GiB (half of RFC 9106's first option) or 12 passes. */
export const MAX_CALIBRATED_MEMORY_KIB = 1024 * 1024;
const MAX_CALIBRATED_TIME_COST = 12;

export interface Calibration {
  /** Wall time one unlock's derivation should take. */
  readonly targetMs: number;
  /** The cheapest parameters calibration may return (default: 64 MiB, t = 3, 4 lanes). */
  readonly floor: KdfParams;
}

export const DEFAULT_CALIBRATION: Calibration = Object.freeze({
  targetMs: DEFAULT_UNLOCK_TARGET_MS,
  floor: Object.freeze({ memoryKiB: 64 * 1024, timeCost: 3, parallelism: 4 }),
});

/** Wall time of one derivation with `params` (random input; nothing is kept). */
export async function timeDerivation(params: KdfParams): Promise<number> {
  const input = randomBytes(32);
  const started = performance.now();
  const key = await deriveKey(input, newSalt(), params);
  const elapsed = performance.now() - started;
  key.fill(0);
  return elapsed;
}

/** Parameters whose derivation takes about `targetMs` here, never below the floor nor above the bounds. */
export async function calibrateKdf(calibration: Calibration = DEFAULT_CALIBRATION): Promise<KdfParams> {
  const { floor, targetMs } = calibration;
  // Warm-up run (first use pays for thread-pool start and page faults), then the measured one.
  await timeDerivation(floor);
  const floorMs = await timeDerivation(floor);
  const scale = targetMs / Math.max(floorMs, 1);
  if (scale <= 1) return floor;
  const maxMemory = Math.max(floor.memoryKiB, MAX_CALIBRATED_MEMORY_KIB);
  // Derivation time is close to linear in memory × passes.
  const memoryKiB = Math.min(
    maxMemory,
    Math.floor((floor.memoryKiB * scale) / 1024) * 1024 || floor.memoryKiB,
  );
  const passes = Math.round((floor.timeCost * floor.memoryKiB * scale) / memoryKiB);
  const timeCost = Math.min(
    Math.max(MAX_CALIBRATED_TIME_COST, floor.timeCost),
    Math.max(floor.timeCost, passes),
  );
  const params = { memoryKiB, timeCost, parallelism: floor.parallelism };
  return kdfParamsProblem(params) === undefined ? params : floor;
}

/**
 * PIN hashing cost: libsignal's PinHash (argon2id, m = 16 MiB, t = 32, p = 1 — SVR2's parameters) per
 * guess, against one SHA-256 of the same PIN measured in the same run.
 *
 * ratio = PinHash time / SHA-256 time: how many times more work an offline attacker (one who has the
 * enclave's stored data) pays per PIN guess than against a plain fast hash. Higher is better. It is
 * machine-independent to first order (both on the same core, in the same run) and turns directly into
 * brute-force times: the details give, for one core, the expected time to find a random 6-digit PIN and
 * a generated 24-character PIN, which is the case for the strong-PIN policy (src/account/pin-policy.ts).
 * Also measured: libsignal's local PIN hash (used for reminders).
 */
import { createHash } from 'node:crypto';
import { hashPinForSvr, localPinHash, demoEnclaveId } from '../src/account/pin.js';
import { generatedPinBits } from '../src/account/pin-policy.js';
import type { BenchModule } from './types.js';

const PIN_HASH_RUNS = 12;
const SHA_RUNS = 200_000;
const LOCAL_RUNS = 6;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export const pinBench: BenchModule = {
  name: 'pin',
  run() {
    const enclave = demoEnclaveId();
    // Warm-up (native library load, allocator).
    hashPinForSvr('warm-up-pin-0', 'bench-user', enclave);

    const pinHashMs: number[] = [];
    for (let i = 0; i < PIN_HASH_RUNS; i++) {
      const start = process.hrtime.bigint();
      const keys = hashPinForSvr(`bench-pin-${i}`, 'bench-user', enclave);
      pinHashMs.push(msSince(start));
      keys.accessKey.fill(0);
      keys.encryptionKey.fill(0);
    }

    const shaStart = process.hrtime.bigint();
    let sink = 0;
    for (let i = 0; i < SHA_RUNS; i++) sink ^= createHash('sha256').update(`bench-pin-${i}`).digest()[0]!;
    const shaMs = msSince(shaStart) / SHA_RUNS;

    const localMs: number[] = [];
    for (let i = 0; i < LOCAL_RUNS; i++) {
      const start = process.hrtime.bigint();
      localPinHash(`bench-pin-${i}`);
      localMs.push(msSince(start));
    }

    const pinMs = median(pinHashMs);
    const perCoreGuessesPerSecond = 1000 / pinMs;
    const sixDigitsExpectedSeconds = 1e6 / 2 / perCoreGuessesPerSecond;
    const generatedExpectedYearsLog10 =
      (generatedPinBits() - 1) * Math.log10(2) - Math.log10(perCoreGuessesPerSecond) - Math.log10(3.156e7);
    return Promise.resolve({
      ratio: pinMs / shaMs,
      ratioMeaning:
        'PinHash (argon2id 16 MiB, t=32) time / one SHA-256 on the same core: how much more one offline PIN guess costs than a fast hash (informational; the absolute attacker cost is in details)',
      details: {
        pinHashMedianMs: Number(pinMs.toFixed(1)),
        pinHashMinMs: Number(Math.min(...pinHashMs).toFixed(1)),
        pinHashMaxMs: Number(Math.max(...pinHashMs).toFixed(1)),
        sha256Microseconds: Number((shaMs * 1000).toFixed(3)),
        localPinHashMedianMs: Number(median(localMs).toFixed(1)),
        argon2id: { memoryMiB: 16, timeCost: 32, parallelism: 1, outputBytes: 64 },
        oneCoreGuessesPerSecond: Number(perCoreGuessesPerSecond.toFixed(2)),
        oneCoreExpectedHoursFor6DigitPin: Number((sixDigitsExpectedSeconds / 3600).toFixed(1)),
        oneCoreLog10ExpectedYearsForGenerated24CharPin: Number(generatedExpectedYearsLog10.toFixed(1)),
        sink,
      },
    });
  },
};

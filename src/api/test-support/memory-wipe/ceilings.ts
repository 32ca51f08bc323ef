/**
 * What the memory-wipe measurement (run.ts) may still find in the core process after lock + GC — the
 * documented remainder, asserted by src/api/memory-wipe.network.test.ts so a regression fails, and written
 * to bench/results/memory-wipe.json by `npm run bench memory-wipe`.
 *
 * - Key material (the vault key, the key-encryption key, the Argon2id output): none, anywhere.
 * - Reachable from JavaScript (heap snapshot): no copy of any marker.
 * - Freed V8 memory is zeroed (--clear-free-memory, src/api/core/freed-memory.ts): no two-byte string copy.
 * - What remains is freed memory nobody zeroes: glibc's malloc heap (SQLite's page cache, freed when the
 *   DB closes; the plaintext libsignal and protobuf worked on; the IPC buffer each input arrived in — here
 *   the measurement's own channel, in the app Electron's IPC or the harness's WebSocket) and, now and then,
 *   a V8 page the concurrent sweeper has not reached yet. Measured after lock: message bodies 2–5 each, the
 *   PIN 1–2 (35 before freed V8 memory was zeroed), the passphrase 0–2 (its copy in node-argon2's pool
 *   slice is wiped by src/vault/argon2-hygiene.ts, tested there). The ceilings leave room for run-to-run
 *   reuse of freed blocks.
 */
const BODY_CEILING = 8;

/** Upper bounds on each needle's count after lock; a needle not named here must be 0. */
export const LOCKED_CEILINGS: Readonly<Record<string, number>> = {
  'passphrase.oneByte': 3,
  'pin.oneByte': 4,
  'sentOneByte.oneByte': BODY_CEILING,
  'sentTwoByte.oneByte': BODY_CEILING,
  'receivedOneByte.oneByte': BODY_CEILING,
  'receivedTwoByte.oneByte': BODY_CEILING,
};

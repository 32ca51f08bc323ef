/**
 * What the memory-wipe measurement (run.ts) may still find in the core process after lock + GC — the
 * documented remainder, asserted by src/api/memory-wipe.network.test.ts so a regression fails, and written
 * to bench/results/memory-wipe.json by `npm run bench memory-wipe`.
 *
 * - Key material (the vault key, the key-encryption key, the Argon2id output): none, anywhere.
 * - Reachable from JavaScript (heap snapshot): no copy of any marker.
 * - Freed V8 memory: the old generation's sweeper zeroes it (--clear-free-memory) and at lock filler
 *   overwrites the young generation (src/api/core/freed-memory.ts). Without the filler one run in six
 *   still found the PIN 35 times and two-byte bodies 5–8 times (dead young objects, never swept); with it,
 *   four runs found 0, 0, 0 and 2 copies of anything in V8's heap. Pages V8 evacuates are not zeroed.
 * - Freed native memory is not zeroed: glibc's malloc heap keeps SQLite's page cache (freed when the DB
 *   closes), the plaintext libsignal and protobuf worked on, and the IPC buffer each input arrived in —
 *   here the measurement's own channel, in the app Electron's IPC or the harness's WebSocket.
 * Measured after lock: message bodies 2–8 one-byte copies each, the PIN 0–2, the passphrase 0–2 (its copy in
 * node-argon2's pool slice is wiped by src/vault/argon2-hygiene.ts, tested there). The ceilings leave room
 * for run-to-run reuse of freed blocks.
 */
const BODY_CEILING = 12;
const BODY_TWO_BYTE_CEILING = 8;

/** Upper bounds on each needle's count after lock; a needle not named here must be 0. */
export const LOCKED_CEILINGS: Readonly<Record<string, number>> = {
  'passphrase.oneByte': 3,
  'pin.oneByte': 6,
  'sentOneByte.oneByte': BODY_CEILING,
  'sentTwoByte.oneByte': BODY_CEILING,
  'sentTwoByte.twoByte': BODY_TWO_BYTE_CEILING,
  'receivedOneByte.oneByte': BODY_CEILING,
  'receivedTwoByte.oneByte': BODY_CEILING,
  'receivedTwoByte.twoByte': BODY_TWO_BYTE_CEILING,
};

/**
 * What the memory-wipe measurement (run.ts) may still find in the core process after lock + GC — the
 * documented remainder, asserted by src/api/memory-wipe.network.test.ts so a regression fails, and written
 * to bench/results/memory-wipe.json by `npm run bench memory-wipe`.
 *
 * - Key material (the vault key, the key-encryption key, the Argon2id output): none, anywhere.
 * - Reachable from JavaScript (heap snapshot): no copy of any marker.
 * - Freed V8 memory is zeroed (--clear-free-memory, src/api/core/freed-memory.ts): no two-byte string copy.
 * - Freed NATIVE memory is not zeroed: the one-byte / UTF-8 copies of message bodies (measured 2–5 each)
 *   sit in glibc's malloc heap — SQLite's page cache (freed, not zeroed, when the DB closes), the
 *   plaintext libsignal and protobuf worked on, the IPC buffer a message arrived in. The PIN: measured 0–1
 *   (35 before freed V8 memory was zeroed). The passphrase: measured 0 (node-argon2's pooled copy is wiped
 *   by src/vault/argon2-hygiene.ts); 1 allows the IPC buffer it arrived in. The ceilings leave room for
 *   run-to-run reuse of freed blocks.
 */
const BODY_CEILING = 8;

/** Upper bounds on each needle's count after lock; a needle not named here must be 0. */
export const LOCKED_CEILINGS: Readonly<Record<string, number>> = {
  'passphrase.oneByte': 1,
  'pin.oneByte': 3,
  'sentOneByte.oneByte': BODY_CEILING,
  'sentTwoByte.oneByte': BODY_CEILING,
  'receivedOneByte.oneByte': BODY_CEILING,
  'receivedTwoByte.oneByte': BODY_CEILING,
};

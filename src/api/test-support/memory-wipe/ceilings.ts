/**
 * What the memory-wipe measurement (run.ts) may still find in the core process after lock + GC — the
 * documented remainder, asserted by src/api/memory-wipe.network.test.ts so a regression fails, and written
 * to bench/results/memory-wipe.json by `npm run bench memory-wipe`.
 *
 * - Key material (the vault key, the key-encryption key, the Argon2id output): none, anywhere.
 * - Reachable from JavaScript (heap snapshot): no copy of any marker.
 * - Freed V8 memory is zeroed (--clear-free-memory, src/api/core/freed-memory.ts): no two-byte string copy.
 * - Freed NATIVE memory is not: the one-byte / UTF-8 copies below sit in glibc's malloc heap — the IPC
 *   read buffer a secret arrived in, SQLite's page cache (freed, not zeroed, when the DB closes), the
 *   plaintext libsignal and protobuf worked on, TLS record buffers. Measured 1–5 per marker; the ceilings
 *   leave room for run-to-run reuse of freed blocks.
 */
const ONE_BYTE_CEILING = 8;

/** Upper bounds on each needle's count after lock; a needle not named here must be 0. */
export const LOCKED_CEILINGS: Readonly<Record<string, number>> = {
  'passphrase.oneByte': ONE_BYTE_CEILING,
  'pin.oneByte': ONE_BYTE_CEILING,
  'sentOneByte.oneByte': ONE_BYTE_CEILING,
  'sentTwoByte.oneByte': ONE_BYTE_CEILING,
  'receivedOneByte.oneByte': ONE_BYTE_CEILING,
  'receivedTwoByte.oneByte': ONE_BYTE_CEILING,
};

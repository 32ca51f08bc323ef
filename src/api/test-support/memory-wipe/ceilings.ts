/**
 * What the memory-wipe measurement (run.ts) may still find in the core process after lock + GC — the
 * documented remainder, asserted by src/api/memory-wipe.network.test.ts so a regression fails, and written
 * to bench/results/memory-wipe.json by `npm run bench memory-wipe`.
 *
 * - Key material (the vault key, the key-encryption key, the Argon2id output): none, anywhere.
 * - Reachable from JavaScript (heap snapshot): no copy of any marker.
 * - Freed V8 memory is zeroed as the sweeper frees it (--clear-free-memory, src/api/core/freed-memory.ts),
 *   but not pages V8 evacuates or the young generation's flipped half: most runs find no two-byte copy,
 *   one found 6 of a two-byte body.
 * - Freed native memory is not zeroed: glibc's malloc heap keeps SQLite's page cache (freed when the DB
 *   closes), the plaintext libsignal and protobuf worked on, and the IPC buffer each input arrived in —
 *   here the measurement's own channel, in the app Electron's IPC or the harness's WebSocket.
 * Measured after lock over several runs: message bodies 2–8 one-byte copies each, the PIN 1–2 (35 before
 * freed V8 memory was zeroed), the passphrase 0–2 (its copy in node-argon2's pool slice is wiped by
 * src/vault/argon2-hygiene.ts, tested there). The ceilings leave room for run-to-run reuse of freed blocks.
 */
const BODY_CEILING = 12;
const BODY_TWO_BYTE_CEILING = 8;

/** Upper bounds on each needle's count after lock; a needle not named here must be 0. */
export const LOCKED_CEILINGS: Readonly<Record<string, number>> = {
  'passphrase.oneByte': 3,
  'pin.oneByte': 4,
  'sentOneByte.oneByte': BODY_CEILING,
  'sentTwoByte.oneByte': BODY_CEILING,
  'sentTwoByte.twoByte': BODY_TWO_BYTE_CEILING,
  'receivedOneByte.oneByte': BODY_CEILING,
  'receivedTwoByte.oneByte': BODY_CEILING,
  'receivedTwoByte.twoByte': BODY_TWO_BYTE_CEILING,
};

/**
 * The encrypted vault: the public surface every other module codes against.
 *
 * Memory hygiene — what we wipe and what JavaScript cannot:
 * - Wiped on lock: the 32-byte DB key and every temporary `x'…'` key spec (Buffers, `fill(0)`), the
 *   per-file AES keys (zeroed right after each read/write), and SQLite's native page cache and cipher
 *   state (freed by closing the connection). Lock hooks let other modules drop their caches.
 * - Not ours to wipe: the passphrase Buffer belongs to the caller (src/api zeroes it); a passphrase that
 *   ever was a JS string (JSON over IPC) stays in the V8 heap until garbage-collected and overwritten;
 *   argon2's native working memory (64 MiB) is freed but not zeroed by us; strings and objects read from
 *   the DB (message bodies, settings) live until GC; freed native memory is not guaranteed to be cleared.
 *   The shell reloads the renderer on lock so its heap goes away; the main process heap is only as clean
 *   as the GC leaves it.
 */
export { Vault } from './vault.js';
export type { VaultOptions } from './vault.js';
export { AutoLock } from './auto-lock.js';
export { ProfileLock } from './profile-lock.js';
export type { KdfParams } from './kdf.js';

/**
 * libsignal's protocol stores on the vault's SQLCipher connection (tables from migration 0002), one file
 * per store. Records are libsignal's own serialized blobs. There are no in-memory caches: every call reads
 * the encrypted DB, so `dispose()` (hooked to the vault lock) only has to cut the stores off from it.
 */
export { SignalProtocolStores } from './protocol-stores.js';
export type { IdentityStores } from './protocol-stores.js';
export { VerifiedStatus } from './identity.js';
export type { IdentityKind, SaveIdentityResult } from './identity.js';

/** The encrypted vault: the public surface every other module codes against. */
export { Vault, VAULT_FILES } from './vault.js';
export type { VaultState, VaultOptions, LockReason } from './vault.js';
export { EncryptedFileStore } from './file-store.js';
export { AutoLock, AUTO_LOCK_CHOICES_MS, DEFAULT_AUTO_LOCK_MS } from './auto-lock.js';
export type { AutoLockOptions, AutoLockTimers } from './auto-lock.js';
export { DEFAULT_KDF_PARAMS } from './kdf.js';
export type { KdfParams } from './kdf.js';
export { runMigrations, schemaVersion, latestVersion } from './migrate.js';
export { Database } from './driver.js';
export type { SqlDatabase } from './sql.js';

import type { Migration } from './types.js';

/**
 * Owned by src/account and src/settings.
 * - `settings`: one row per user setting (src/settings/schema.ts), value as JSON, validated on read.
 * - `account_kv`: account facts (PIN reminder state with the local PIN hash — never the PIN —, registration
 *   lock flag, the master key as a BLOB). The whole DB is SQLCipher-encrypted by the vault.
 */
export const migration0003: Migration = {
  version: 3,
  name: 'account-settings',
  up(db) {
    db.exec(`
      CREATE TABLE settings (
        key TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE account_kv (
        key TEXT PRIMARY KEY NOT NULL,
        value TEXT,
        blob BLOB,
        updated_at INTEGER NOT NULL
      );
    `);
  },
};

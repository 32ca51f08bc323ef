import type { Migration } from './types.js';

// Owned by src/vault: the vault's own tables. `meta` holds small vault facts (created_at, the insecure
// no-passphrase flag); `files` indexes the encrypted file store, one random AES-256-GCM key per file.
export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE meta (
        key TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE files (
        id TEXT PRIMARY KEY NOT NULL,
        key BLOB NOT NULL CHECK (length(key) = 32),
        size INTEGER NOT NULL CHECK (size >= 0),
        created_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `);
  },
};

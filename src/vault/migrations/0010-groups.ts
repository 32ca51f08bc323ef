import type { Migration } from './types.js';

/**
 * Owned by issue 15 (groups v2): one row per group we know of, keyed by its group identifier (base64; the
 * server knows it too). `master_key` is the group's secret — whoever holds it can read the group — kept
 * like every other secret of the vault, under SQLCipher. `state` is the decrypted state as last fetched
 * (JSON of src/groups/group-state.ts, profile keys included), null while a group we were told of has not
 * been fetched yet; `revision` is its revision. `conversation_id` is the group's timeline.
 */
export const migration0010: Migration = {
  version: 10,
  name: 'groups',
  up(db) {
    db.exec(`
      CREATE TABLE groups (
        id TEXT PRIMARY KEY,
        master_key BLOB NOT NULL,
        revision INTEGER,
        state TEXT,
        conversation_id TEXT REFERENCES conversations (id) ON DELETE SET NULL,
        told_by_service_id TEXT,
        updated_at INTEGER NOT NULL
      ) STRICT;
    `);
  },
};

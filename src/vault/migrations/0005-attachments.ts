import type { Migration } from './types.js';

/**
 * Owned by src/messaging/attachments: one row per attachment of a message (`messages.attachment_ids`
 * holds these ids). The plaintext lives only in vault.files (AES-256-GCM per file); this row holds what
 * the UI needs to show it and, for an incoming attachment not yet downloaded, the encoded
 * AttachmentPointer (with its key) — inside the SQLCipher DB, cleared once the download finished or was
 * rejected (secure_delete overwrites it).
 */
export const migration0005: Migration = {
  version: 5,
  name: 'attachments',
  up(db) {
    db.exec(`
      CREATE TABLE attachments (
        id TEXT PRIMARY KEY,
        direction TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
        state TEXT NOT NULL CHECK (state IN ('pending', 'ready', 'failed')),
        pointer BLOB,
        file_id TEXT,
        thumbnail_file_id TEXT,
        content_type TEXT,
        declared_content_type TEXT,
        file_name TEXT,
        size INTEGER,
        width INTEGER,
        height INTEGER,
        flags INTEGER NOT NULL DEFAULT 0,
        caption TEXT,
        failure TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX attachments_pending ON attachments (state) WHERE state = 'pending';
    `);
  },
};

import type { Migration } from './types.js';

/**
 * Owned by src/messaging: a message's attachments are rows of `message_attachments` (in order by
 * `position`), not a JSON array in `messages.attachment_ids` — "which message holds this attachment"
 * (resume a download, sweep unreferenced attachments) is an index lookup instead of a `json_each`
 * scan over every message. Link rows go with their message (ON DELETE CASCADE). Existing arrays are
 * moved over, then the column is dropped (secure_delete overwrites the freed pages).
 */
export const migration0006: Migration = {
  version: 6,
  name: 'message-attachments',
  up(db) {
    db.exec(`
      CREATE TABLE message_attachments (
        message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        attachment_id TEXT NOT NULL,
        PRIMARY KEY (message_id, position)
      ) WITHOUT ROWID;
      CREATE INDEX message_attachments_attachment ON message_attachments (attachment_id);

      INSERT INTO message_attachments (message_id, position, attachment_id)
        SELECT m.id, j.key, j.value FROM messages m, json_each(m.attachment_ids) j
         WHERE m.attachment_ids IS NOT NULL;
      ALTER TABLE messages DROP COLUMN attachment_ids;
    `);
  },
};

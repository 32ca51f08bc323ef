import type { Migration } from './types.js';

/**
 * Owned by src/messaging: a message's link preview (Signal's DataMessage.preview), at most one per
 * message — the text as sent or received (bounded before it is stored) and, when it has an image, the
 * attachment id of that image. The image is also one of the message's `message_attachments` rows, so it
 * is downloaded, held, expired and shredded exactly like any other attachment; the preview row only
 * says which of them it is. The row goes with its message (ON DELETE CASCADE).
 */
export const migration0007: Migration = {
  version: 7,
  name: 'message-previews',
  up(db) {
    db.exec(`
      CREATE TABLE message_previews (
        message_id TEXT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        title TEXT NOT NULL,
        description TEXT,
        image_attachment_id TEXT
      ) WITHOUT ROWID;
    `);
  },
};

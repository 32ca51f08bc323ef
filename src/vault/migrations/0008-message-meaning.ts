import type { Migration } from './types.js';

/**
 * Owned by src/messaging (issue 14): what a message means beyond its text.
 *
 * - `message_quotes`: the message a reply quotes, as the sender described it (author, sent time, a bounded
 *   excerpt, the first quoted attachment's descriptor). Whether we still have the original is resolved
 *   when read, by (conversation, author, sent time), so an expired or deleted original reads "not found".
 * - `message_reactions`: ONE row per (message, reactor) — Signal's rule, a new reaction replaces the old,
 *   a removal deletes it — so a message holds at most one row per person whatever a sender floods; in a
 *   1:1 chat only the contact and we may react (at most two rows).
 * - `messages.edited_at` / `edit_count` / `edit_sent_at`: only the latest text is kept (the body is
 *   replaced); the count enforces Signal's 10-edit limit; `edit_sent_at` is the newest edit's timestamp.
 * - `messages.deleted`: a delete-for-everyone tombstone; its body, quote, preview and attachments rows
 *   are deleted (secure_delete overwrites them).
 * - `pending_remote_deletes`: a delete that arrived BEFORE its message (out-of-order delivery), kept a
 *   bounded time so the message is stored as a tombstone when it comes and never shows.
 * - `conversations.expire_timer_version`: Signal's timer version (a lower one does not override);
 *   `conversations.marked_unread`: the user's "mark as unread".
 * Rows go with their message (ON DELETE CASCADE), so disappearing and deleted messages take them along.
 */
export const migration0008: Migration = {
  version: 8,
  name: 'message-meaning',
  up(db) {
    db.exec(`
      ALTER TABLE messages ADD COLUMN edited_at INTEGER;
      ALTER TABLE messages ADD COLUMN edit_count INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE messages ADD COLUMN edit_sent_at INTEGER;
      ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE conversations ADD COLUMN expire_timer_version INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE conversations ADD COLUMN marked_unread INTEGER NOT NULL DEFAULT 0;

      CREATE TABLE message_quotes (
        message_id TEXT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
        author_service_id TEXT NOT NULL,
        sent_at INTEGER NOT NULL,
        text TEXT NOT NULL,
        attachment_content_type TEXT,
        attachment_file_name TEXT,
        attachment_has_thumbnail INTEGER NOT NULL DEFAULT 0,
        has_attachment INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;

      CREATE TABLE message_reactions (
        message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        reactor_service_id TEXT NOT NULL,
        emoji TEXT NOT NULL,
        reacted_at INTEGER NOT NULL,
        PRIMARY KEY (message_id, reactor_service_id)
      ) WITHOUT ROWID;

      CREATE TABLE pending_remote_deletes (
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        author_service_id TEXT NOT NULL,
        target_sent_at INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (author_service_id, target_sent_at)
      ) WITHOUT ROWID;
      CREATE INDEX pending_remote_deletes_age ON pending_remote_deletes (received_at);
    `);
  },
};

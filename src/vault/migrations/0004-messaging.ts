import type { Migration } from './types.js';

/**
 * Owned by src/messaging: conversations and the message timeline.
 *
 * - `messages.seq` is the paging key (insertion order = the order the user saw things arrive, as
 *   Signal orders by received_at); cursors are `seq` values, the (conversation_id, seq) index serves
 *   newest-first 50-row pages without a sort.
 * - The idempotency key (source_service_id, source_device, sent_at) is UNIQUE, so a re-delivered
 *   envelope (crash after commit but before the ack reached the server) is stored once. Timeline
 *   events have no source and NULLs never collide. `server_guid` is UNIQUE too (its value: a delivery key,
 *   src/messaging/delivery-key.ts), which lets the receiver skip an already-committed envelope before
 *   even decrypting it.
 * - Message bodies and contact numbers live only in this (SQLCipher-encrypted) DB; the vault turns
 *   `secure_delete` on so deleted/expired rows are overwritten.
 */
export const migration0004: Migration = {
  version: 4,
  name: 'messaging',
  up(db) {
    db.exec(`
      CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        service_id TEXT NOT NULL UNIQUE,
        e164 TEXT,
        profile_name TEXT,
        profile_key BLOB,
        is_contact INTEGER NOT NULL DEFAULT 0,
        accepted_at INTEGER,
        is_request INTEGER NOT NULL DEFAULT 0,
        blocked INTEGER NOT NULL DEFAULT 0,
        expire_timer_seconds INTEGER,
        unread_count INTEGER NOT NULL DEFAULT 0,
        last_message_seq INTEGER,
        last_activity_at INTEGER,
        safety_number_changed INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX conversations_activity ON conversations (last_activity_at DESC);

      CREATE TABLE messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('message', 'event')),
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        sent_at INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        server_guid TEXT UNIQUE,
        source_service_id TEXT,
        source_device INTEGER,
        body TEXT,
        status TEXT CHECK (status IN ('pending', 'sent', 'delivered', 'read', 'failed', 'received', 'viewed')),
        read INTEGER NOT NULL DEFAULT 0,
        expire_timer_seconds INTEGER,
        expires_at INTEGER,
        view_once INTEGER NOT NULL DEFAULT 0,
        viewed INTEGER NOT NULL DEFAULT 0,
        attachment_ids TEXT,
        event_type TEXT,
        event_data TEXT,
        UNIQUE (source_service_id, source_device, sent_at)
      );
      CREATE INDEX messages_page ON messages (conversation_id, seq);
      CREATE INDEX messages_sent_at ON messages (conversation_id, direction, sent_at);
      CREATE INDEX messages_unread ON messages (conversation_id, read) WHERE read = 0;
      CREATE INDEX messages_expires ON messages (expires_at) WHERE expires_at IS NOT NULL;
    `);
  },
};

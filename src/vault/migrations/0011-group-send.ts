import type { Migration } from './types.js';

/**
 * Owned by issue 15 (groups v2, sending). Planned as 0013; the runner wants consecutive versions and groups
 * management and receiving needed no migration of their own, so it is 0011.
 * - `group_send_state`: per group, our sender-key distribution id and the members it was made for (a
 *   member removed since → a new distribution id, as Signal does), and the group send endorsements as the
 *   server issued them (the raw GroupSendEndorsementsResponse, the member order they were issued for and
 *   their expiry) — a send token is derived from them per send, so they are fetched once a day or so;
 * - `group_sender_key_shared`: which member device has our sender key for that distribution (and under
 *   which identity key: a member whose identity changed gets it again);
 * - `message_recipients`: per outgoing group message, each member's delivery state (sent, delivered, read,
 *   failed), filled by the send and by the members' receipts.
 */
export const migration0011: Migration = {
  version: 11,
  name: 'group-send',
  up(db) {
    db.exec(`
      CREATE TABLE group_send_state (
        group_id TEXT PRIMARY KEY,
        distribution_id TEXT NOT NULL,
        distribution_members TEXT NOT NULL,
        endorsements BLOB,
        endorsement_members TEXT,
        endorsements_expire_at INTEGER
      ) STRICT;
      CREATE TABLE group_sender_key_shared (
        group_id TEXT NOT NULL,
        distribution_id TEXT NOT NULL,
        service_id TEXT NOT NULL,
        device_id INTEGER NOT NULL,
        identity_key BLOB NOT NULL,
        PRIMARY KEY (group_id, service_id, device_id)
      ) STRICT;
      CREATE TABLE message_recipients (
        message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        service_id TEXT NOT NULL,
        sent_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('sent', 'delivered', 'read', 'viewed', 'failed')),
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (message_id, service_id)
      ) STRICT;
      CREATE INDEX message_recipients_receipts ON message_recipients (service_id, sent_at);
    `);
  },
};

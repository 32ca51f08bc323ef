import type { Migration } from './types.js';

/**
 * Owned by src/messaging: `messages.server_guid` now holds delivery keys (the server's timestamp, then its
 * GUID: src/messaging/delivery-key.ts); rows written before hold the bare GUID. `legacy_delivery_keys.until_ms`
 * is when the newest of those rows arrived (0 in a vault that never had one), so that only an envelope the
 * server took before then is also looked up by its bare GUID. That second lookup lands on a random page of
 * the index: made for every envelope, it cost a page read and decrypt per message in a long history.
 */
export const migration0012: Migration = {
  version: 12,
  name: 'delivery-keys',
  up(db) {
    db.exec(`
      CREATE TABLE legacy_delivery_keys (until_ms INTEGER NOT NULL) STRICT;
      INSERT INTO legacy_delivery_keys (until_ms)
        SELECT COALESCE(MAX(received_at), 0) FROM messages WHERE server_guid IS NOT NULL;
    `);
  },
};

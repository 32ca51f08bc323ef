import type { Migration } from './types.js';

/**
 * Owned by src/messaging: our sends still "pending" when the vault closed (a lock, a crash, kill -9) are
 * failed at the next unlock (src/messaging/resend.ts). This partial index holds only those few rows, so
 * finding them costs nothing however long the history; a scan of `messages` would decrypt every page.
 */
export const migration0013: Migration = {
  version: 13,
  name: 'pending-sends',
  up(db) {
    db.exec(`CREATE INDEX messages_pending_sends ON messages (seq) WHERE status = 'pending';`);
  },
};

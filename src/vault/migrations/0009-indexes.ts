import type { Migration } from './types.js';

/**
 * Owned by issue 19 (throughput): indexes the scale and paint benchmarks showed missing.
 * - messages (conversation_id, kind): opening a conversation counts its messages (`total` of the page,
 *   events excluded). With only (conversation_id, seq) that count read every row of the conversation —
 *   bodies included — so a 10,000-message chat opened ≈ 20× slower than a 10-message one; the count is
 *   now answered from this index alone (still one entry per message, but ~30× less to read and decrypt).
 */
export const migration0009: Migration = {
  version: 9,
  name: 'indexes',
  up(db) {
    db.exec(`CREATE INDEX messages_conversation_kind ON messages (conversation_id, kind);`);
  },
};

/**
 * Each member's delivery state of our group messages (table `message_recipients`, migration 0011): a row
 * per member when the send finished — `sent` (the server accepted it for them) or `failed` — then moved
 * forward by that member's receipts (delivered, read, viewed; never backwards). The message's own status
 * follows Signal's rule: the furthest any member got (delivered once one member's device has it, read once
 * one member read it); the per-member list says who exactly. Synchronous: the write queue or the
 * receiver's transaction.
 */
import type { SqlDatabase } from '../../vault/sql.js';

export type RecipientStatus = 'sent' | 'delivered' | 'read' | 'viewed' | 'failed';

const RANK: Readonly<Record<string, number>> = {
  failed: 0,
  pending: 0,
  sent: 1,
  delivered: 2,
  read: 3,
  viewed: 4,
};
const rank = (status: string): number => RANK[status] ?? 0;
const FROM_RECEIPT = { delivery: 'delivered', read: 'read', viewed: 'viewed' } as const;

export class MessageRecipients {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: () => number,
  ) {}

  /**
   * The outcome of a send, per member, for our message of that timestamp in the group's timeline (changes
   * such as reactions have no message of their own: nothing is recorded for them).
   */
  record(conversationId: string, sentAt: number, outcome: ReadonlyMap<string, 'sent' | 'failed'>): void {
    const message = this.db
      .prepare(
        `SELECT id FROM messages WHERE conversation_id = ? AND direction = 'out' AND kind = 'message'
           AND sent_at = ?`,
      )
      .get(conversationId, sentAt) as { id: string } | undefined;
    if (!message) return;
    const upsert = this.db.prepare(
      `INSERT INTO message_recipients (message_id, service_id, sent_at, status, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (message_id, service_id) DO UPDATE SET status = excluded.status,
           updated_at = excluded.updated_at
         WHERE message_recipients.status IN ('failed', 'sent')`,
    );
    const now = this.clock();
    // One commit for all members: a commit per row cost ≈ 1 ms each, most of a 100-member send.
    this.db.transaction(() => {
      for (const [serviceId, status] of outcome) upsert.run(message.id, serviceId, sentAt, status, now);
    })();
  }

  list(messageId: string): { serviceId: string; status: RecipientStatus }[] {
    return this.db
      .prepare(
        'SELECT service_id AS serviceId, status FROM message_recipients WHERE message_id = ? ORDER BY rowid',
      )
      .all(messageId) as { serviceId: string; status: RecipientStatus }[];
  }

  /**
   * A member's receipt for our messages sent at `timestamps`: their rows move forward; returns the
   * messages whose own status should now rise, with that status.
   */
  applyReceipt(
    fromServiceId: string,
    kind: 'delivery' | 'read' | 'viewed',
    timestamps: readonly number[],
  ): { messageId: string; status: RecipientStatus }[] {
    const status = FROM_RECEIPT[kind];
    const select = this.db.prepare(
      `SELECT r.message_id AS messageId, r.status AS mine, m.status AS overall FROM message_recipients r
         JOIN messages m ON m.id = r.message_id WHERE r.service_id = ? AND r.sent_at = ?`,
    );
    const update = this.db.prepare(
      'UPDATE message_recipients SET status = ?, updated_at = ? WHERE message_id = ? AND service_id = ?',
    );
    const raised: { messageId: string; status: RecipientStatus }[] = [];
    for (const sentAt of timestamps) {
      const rows = select.all(fromServiceId, sentAt) as {
        messageId: string;
        mine: string;
        overall: string;
      }[];
      for (const row of rows) {
        if (rank(row.mine) >= rank(status)) continue;
        update.run(status, this.clock(), row.messageId, fromServiceId);
        if (rank(row.overall) < rank(status)) raised.push({ messageId: row.messageId, status });
      }
    }
    return raised;
  }
}

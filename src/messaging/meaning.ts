/**
 * The writes behind what a message means (issue 14), one place for each rule's storage: reactions (one
 * per person per message), edits (only the latest text), delete for everyone (content erased, a tombstone
 * stays), delete for me (the whole message erased), and deletes that arrived before their message. All
 * synchronous, on the vault's one connection; call them in the client's write queue, inside the store's
 * transaction for incoming envelopes. Deleted rows are overwritten (the vault turns `secure_delete` on);
 * attachment files are shredded once the deleting transaction committed.
 */
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import type { EncryptedFileStore } from '../vault/file-store.js';
import type { SqlDatabase } from '../vault/sql.js';
import type { AttachmentRecords } from './attachments/records.js';
import type { Message, MessageStore } from './store.js';

const HOUR_MS = 60 * 60 * 1000;
/** A delete that came before its message waits this long for it (Signal keeps early deletes a day too). */
const PENDING_DELETE_TTL_MS = 48 * HOUR_MS;
/** At most this many early deletes are remembered; the oldest give way (bounded against floods). */
const MAX_PENDING_DELETES = 1000;

export class MessageMeaning {
  private readonly statements = new Map<string, Statement<unknown[]>>();

  constructor(
    private readonly db: SqlDatabase,
    private readonly store: MessageStore,
    private readonly attachments: AttachmentRecords | undefined,
    private readonly files: EncryptedFileStore | undefined,
  ) {}

  /** A text message of this chat by (author, sent time) — our own when the author is us. */
  findTarget(conversationId: string, authorServiceId: string, sentAt: number): Message | undefined {
    const row = this.stmt(
      `SELECT id FROM messages INDEXED BY messages_sent_at WHERE conversation_id = ?
         AND direction IN ('in', 'out') AND sent_at = ? AND kind = 'message' AND source_service_id = ? LIMIT 1`,
    ).get(conversationId, sentAt, authorServiceId) as { id: string } | undefined;
    return row ? this.store.getMessage(row.id) : undefined;
  }

  /** The reactor's one reaction on a message: set (replacing theirs) or, with `emoji` null, removed. */
  react(messageId: string, reactorServiceId: string, emoji: string | null, at: number): Message {
    if (emoji === null) {
      this.stmt('DELETE FROM message_reactions WHERE message_id = ? AND reactor_service_id = ?').run(
        messageId,
        reactorServiceId,
      );
    } else {
      this.stmt(
        `INSERT INTO message_reactions (message_id, reactor_service_id, emoji, reacted_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (message_id, reactor_service_id) DO UPDATE SET emoji = excluded.emoji,
             reacted_at = excluded.reacted_at`,
      ).run(messageId, reactorServiceId, emoji, at);
    }
    return this.store.changed(messageId);
  }

  /** The new text replaces the old (no history is kept); the count enforces MAX_EDITS. */
  edit(messageId: string, body: string, editSentAt: number): Message {
    this.stmt(
      `UPDATE messages SET body = ?, edited_at = ?, edit_sent_at = ?, edit_count = edit_count + 1
         WHERE id = ?`,
    ).run(body, editSentAt, editSentAt, messageId);
    return this.store.changed(messageId);
  }

  /** An edit may name the original's timestamp or its latest edit's (Signal clients send either). */
  findEdited(conversationId: string, authorServiceId: string, sentAt: number): Message | undefined {
    const byOriginal = this.findTarget(conversationId, authorServiceId, sentAt);
    if (byOriginal) return byOriginal;
    const row = this.stmt(
      `SELECT id FROM messages WHERE conversation_id = ? AND edit_sent_at = ? AND source_service_id = ?
         AND kind = 'message' LIMIT 1`,
    ).get(conversationId, sentAt, authorServiceId) as { id: string } | undefined;
    return row ? this.store.getMessage(row.id) : undefined;
  }

  /**
   * Delete for everyone: body, quote, preview, reactions and attachments go (rows deleted with
   * secure_delete, files shredded after commit); the message stays as a tombstone.
   */
  eraseForEveryone(messageId: string): Message {
    const ids = this.eraseContent(messageId);
    this.stmt(
      'UPDATE messages SET body = NULL, deleted = 1, edited_at = NULL, edit_sent_at = NULL WHERE id = ?',
    ).run(messageId);
    this.shred(ids);
    return this.store.changed(messageId);
  }

  /** Delete for me: the whole message, with the same shredding. */
  eraseForMe(message: Message): void {
    const ids = this.eraseContent(message.id);
    this.stmt('DELETE FROM messages WHERE id = ?').run(message.id);
    this.shred(ids);
    this.store.removed({ id: message.id, conversationId: message.conversationId });
  }

  /** A delete for a message we do not have (yet): remembered, bounded, for PENDING_DELETE_TTL_MS. */
  rememberDelete(conversationId: string, authorServiceId: string, targetSentAt: number, now: number): void {
    this.forgetOldDeletes(now);
    this.stmt(
      `INSERT INTO pending_remote_deletes (conversation_id, author_service_id, target_sent_at, received_at)
         VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ).run(conversationId, authorServiceId, targetSentAt, now);
    this.stmt(
      `DELETE FROM pending_remote_deletes WHERE (author_service_id, target_sent_at) IN
         (SELECT author_service_id, target_sent_at FROM pending_remote_deletes
           ORDER BY received_at DESC LIMIT -1 OFFSET ?)`,
    ).run(MAX_PENDING_DELETES);
  }

  /** True (and forgotten) when a delete for this message came before it: store it as a tombstone. */
  takePendingDelete(authorServiceId: string, sentAt: number, now: number): boolean {
    // One primary-key probe per incoming message; expired rows are swept by the next rememberDelete.
    const { changes } = this.stmt(
      `DELETE FROM pending_remote_deletes WHERE author_service_id = ? AND target_sent_at = ?
         AND received_at >= ?`,
    ).run(authorServiceId, sentAt, now - PENDING_DELETE_TTL_MS);
    return changes > 0;
  }

  private forgetOldDeletes(now: number): void {
    this.stmt('DELETE FROM pending_remote_deletes WHERE received_at < ?').run(now - PENDING_DELETE_TTL_MS);
  }

  /** Removes everything but the message row itself; returns the attachment ids to shred. */
  private eraseContent(messageId: string): string[] {
    const ids = (
      this.stmt('SELECT attachment_id FROM message_attachments WHERE message_id = ?').all(
        messageId,
      ) as Array<{
        attachment_id: string;
      }>
    ).map((r) => r.attachment_id);
    for (const table of ['message_attachments', 'message_previews', 'message_quotes', 'message_reactions']) {
      this.stmt(`DELETE FROM ${table} WHERE message_id = ?`).run(messageId);
    }
    return ids;
  }

  private shred(attachmentIds: readonly string[]): void {
    for (const id of attachmentIds) this.attachments?.delete(id);
    // Inside a transaction the file store defers shredding; once it committed, shred (a rollback keeps
    // the key rows, and the file store only shreds files whose row is gone).
    if (this.db.inTransaction && attachmentIds.length > 0) queueMicrotask(() => this.files?.flush());
  }

  private stmt(sql: string): Statement<unknown[]> {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

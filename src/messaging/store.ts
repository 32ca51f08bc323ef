/**
 * Conversations and the message timeline, over the vault's SQLCipher connection (migrations 0004 and
 * 0006).
 *
 * Every method is synchronous (better-sqlite3). Change events are emitted only once the data is
 * committed: inside `transaction()` they are buffered and delivered after COMMIT (dropped on
 * ROLLBACK); outside one they fire at once. Nothing here logs bodies, numbers or keys.
 *
 * Longer than our ~400-line norm on purpose (its records and row mapping live in ./store-records.ts):
 * conversations and messages keep each other's counters (unread count, last message) in the same
 * transactions, and every SQL query over the two tables is in this one file.
 */
import { randomUUID } from 'node:crypto';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import type { SqlDatabase } from '../vault/sql.js';
import { storedDeliveryKeys } from './delivery-key.js';
import type { QuoteInput } from './message-meaning.js';
import { timeOrderedId } from './row-id.js';
import { MESSAGE_COLUMNS, toConversation, toMessage } from './store-records.js';
import type {
  MessageKind,
  MessageStatus,
  TimelineEventType,
  ReceiptKind,
  Conversation,
  ConversationSummary,
  MessagePreview,
  Message,
  StoreEvents,
  StoreEventName,
  IncomingMessageInput,
  OutgoingMessageInput,
  ConversationInit,
  ConversationPatch,
  Page,
  ReadResult,
  ConversationRow,
  MessageRow,
} from './store-records.js';

export type {
  MessageStatus,
  TimelineEventType,
  ReceiptKind,
  Conversation,
  LastMessage,
  ConversationSummary,
  MessagePreview,
  Message,
  StoreEvents,
  StoreEventName,
  IncomingMessageInput,
  OutgoingMessageInput,
  ConversationInit,
  ConversationPatch,
  Page,
  ReadResult,
} from './store-records.js';

type Listener<E extends StoreEventName> = (payload: StoreEvents[E]) => void;

const PAGE_SIZE = 50;
const STATUS_RANK: Record<MessageStatus, number> = {
  pending: 0,
  failed: 0,
  sent: 1,
  received: 1,
  delivered: 2,
  read: 3,
  viewed: 4,
};

function parseCursor(cursor: string): number {
  if (!/^\d{1,15}$/.test(cursor)) throw new ValidationError('Invalid page cursor.');
  return Number(cursor);
}

function checkTimer(seconds: number | null | undefined): number | null {
  if (seconds === null || seconds === undefined || seconds === 0) return null;
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 366 * 24 * 3600) {
    throw new ValidationError('Invalid disappearing-messages timer.');
  }
  return seconds;
}

export class MessageStore {
  private readonly listeners = new Map<StoreEventName, Set<Listener<StoreEventName>>>();
  private pending: Array<{ name: StoreEventName; payload: unknown }> = [];
  private readonly clock: () => number;
  /** When the vault's last row keyed by a bare server GUID arrived (migration 0012); read once. */
  private legacyDeliveryKeysUntil: number | undefined;

  constructor(
    private readonly db: SqlDatabase,
    options: { clock?: () => number } = {},
  ) {
    this.clock = options.clock ?? Date.now;
  }

  // ---- events -------------------------------------------------------------------------------

  on<E extends StoreEventName>(name: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as Listener<StoreEventName>);
    return () => set.delete(listener as Listener<StoreEventName>);
  }

  private emit<E extends StoreEventName>(name: E, payload: StoreEvents[E]): void {
    this.pending.push({ name, payload });
    if (!this.db.inTransaction) this.commitEvents();
  }

  /**
   * A conversation row changed: 'conversation.updated' is announced once per conversation per transaction,
   * where its last change was, with the row as committed (read then, not at each change: a backlog batch
   * of 64 messages to one chat is one read and one event, not 64).
   */
  private conversationChanged(id: string): void {
    this.pending.push({ name: 'conversation.updated', payload: id });
    if (!this.db.inTransaction) this.commitEvents();
  }

  /** Deliver the events buffered during a transaction that has just committed. */
  private commitEvents(): void {
    const events = this.pending;
    this.pending = [];
    const lastChange = new Map<string, number>();
    events.forEach(({ name, payload }, i) => {
      if (name === 'conversation.updated') lastChange.set(payload as string, i);
    });
    events.forEach(({ name, payload }, i) => {
      let delivered = payload;
      if (name === 'conversation.updated') {
        if (lastChange.get(payload as string) !== i) return;
        delivered = this.getConversation(payload as string);
        if (delivered === undefined) return; // removed later in the same transaction
      }
      for (const listener of this.listeners.get(name) ?? []) {
        try {
          listener(delivered as never);
        } catch {
          // A subscriber's failure must not undo or block the pipeline.
        }
      }
    });
  }

  /** Drop the events of a transaction that rolled back: nothing happened. */
  discardEvents(): void {
    this.pending = [];
  }

  /** Run `fn` in one synchronous transaction; events fire after it commits. */
  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    try {
      const result = this.db.transaction(fn)();
      this.commitEvents();
      return result;
    } catch (error) {
      this.discardEvents();
      throw error;
    }
  }

  // ---- conversations --------------------------------------------------------------------------

  getConversation(id: string): Conversation | undefined {
    const row = this.stmt('SELECT * FROM conversations WHERE id = ?').get(id) as ConversationRow | undefined;
    return row ? toConversation(row) : undefined;
  }

  findConversationByServiceId(serviceId: string): Conversation | undefined {
    const row = this.stmt('SELECT * FROM conversations WHERE service_id = ?').get(serviceId) as
      ConversationRow | undefined;
    return row ? toConversation(row) : undefined;
  }

  getOrCreateConversation(serviceId: string, init: ConversationInit = {}): Conversation {
    const existing = this.findConversationByServiceId(serviceId);
    if (existing) return existing;
    const id = randomUUID();
    this.stmt(
      `INSERT INTO conversations (id, service_id, e164, profile_name, is_contact, accepted_at, is_request, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      serviceId,
      init.e164 ?? null,
      init.profileName ?? null,
      init.isContact ? 1 : 0,
      init.acceptedAt ?? null,
      init.isRequest ? 1 : 0,
      this.clock(),
    );
    this.conversationChanged(id);
    return this.mustConversation(id);
  }

  listConversations(): Conversation[] {
    const rows = this.stmt(
      'SELECT * FROM conversations ORDER BY last_activity_at IS NULL, last_activity_at DESC',
    ).all() as ConversationRow[];
    return rows.map(toConversation);
  }

  /**
   * Every conversation with its newest timeline entry, in ONE query (the list used to page each
   * conversation separately). The newest entry is `last_message_seq`, kept by every insert and by
   * refreshCounters after a delete: a primary-key lookup per conversation. (A correlated MAX(seq) read one
   * (conversation_id, seq) index page per conversation: right after unlock, with a cold page cache, that
   * was ≈ 100–180 ms for 1,000 conversations, against ≈ 5–20 ms now — bench/scale.bench.ts.)
   */
  listConversationSummaries(): ConversationSummary[] {
    const rows = this.stmt(
      `SELECT c.*, m.kind AS last_kind, m.body AS last_body, m.received_at AS last_received_at,
              EXISTS (SELECT 1 FROM message_attachments WHERE message_id = m.id) AS last_has_attachments
         FROM conversations c
         LEFT JOIN messages m ON m.seq = c.last_message_seq
        ORDER BY c.last_activity_at IS NULL, c.last_activity_at DESC`,
    ).all() as Array<
      ConversationRow & {
        last_kind: MessageKind | null;
        last_body: string | null;
        last_received_at: number | null;
        last_has_attachments: number;
      }
    >;
    return rows.map((row) => ({
      ...toConversation(row),
      lastMessage:
        row.last_kind === null || row.last_received_at === null
          ? null
          : {
              kind: row.last_kind,
              body: row.last_body,
              hasAttachments: row.last_has_attachments === 1,
              receivedAt: row.last_received_at,
            },
    }));
  }

  updateConversation(id: string, patch: ConversationPatch): Conversation {
    const columns: Record<keyof ConversationPatch, string> = {
      profileName: 'profile_name',
      e164: 'e164',
      isContact: 'is_contact',
      acceptedAt: 'accepted_at',
      isRequest: 'is_request',
      blocked: 'blocked',
      expireTimerSeconds: 'expire_timer_seconds',
      safetyNumberChanged: 'safety_number_changed',
      expireTimerVersion: 'expire_timer_version',
      markedUnread: 'marked_unread',
    };
    const sets: string[] = [];
    const values: Array<string | number | null> = [];
    for (const [key, value] of Object.entries(patch) as Array<[keyof ConversationPatch, unknown]>) {
      if (value === undefined) continue;
      const column = columns[key];
      if (!column) throw new ValidationError('Unknown conversation field.');
      sets.push(`${column} = ?`);
      if (key === 'expireTimerSeconds') values.push(checkTimer(value as number | null));
      else if (typeof value === 'boolean') values.push(value ? 1 : 0);
      else values.push(value as string | number | null);
    }
    this.mustConversation(id);
    if (sets.length > 0) {
      this.stmt(`UPDATE conversations SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
    }
    this.conversationChanged(id);
    return this.mustConversation(id);
  }

  /** The contact's profile key (for their unidentified-access key); secret, never logged. */
  getProfileKey(conversationId: string): Buffer | null {
    const row = this.stmt('SELECT profile_key FROM conversations WHERE id = ?').get(conversationId) as
      { profile_key: Buffer | null } | undefined;
    return row?.profile_key ?? null;
  }

  setProfileKey(conversationId: string, profileKey: Uint8Array): void {
    if (profileKey.length !== 32) throw new ValidationError('A profile key has 32 bytes.');
    // Senders attach it to every message: write only when it changed.
    this.stmt(
      'UPDATE conversations SET profile_key = @key WHERE id = @id AND (profile_key IS NULL OR profile_key <> @key)',
    ).run({ key: Buffer.from(profileKey), id: conversationId });
  }

  private mustConversation(id: string): Conversation {
    const conversation = this.getConversation(id);
    if (!conversation) throw new NotFoundError('No such conversation.');
    return conversation;
  }

  // ---- messages -------------------------------------------------------------------------------

  getMessage(id: string): Message | undefined {
    const row = this.stmt(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE id = ?`).get(id) as
      MessageRow | undefined;
    return row ? toMessage(row) : undefined;
  }

  /** The message that refers to an attachment id (message_attachments), if any. */
  findMessageByAttachmentId(attachmentId: string): Message | undefined {
    const row = this.stmt(
      `SELECT ${MESSAGE_COLUMNS} FROM message_attachments l JOIN messages m ON m.id = l.message_id
         WHERE l.attachment_id = ? LIMIT 1`,
    ).get(attachmentId) as MessageRow | undefined;
    return row ? toMessage(row) : undefined;
  }

  /** True when an envelope with this delivery key (src/messaging/delivery-key.ts) was already stored. */
  hasDeliveryKey(key: string): boolean {
    this.legacyDeliveryKeysUntil ??=
      (this.stmt('SELECT until_ms FROM legacy_delivery_keys').get() as { until_ms: number } | undefined)
        ?.until_ms ?? 0;
    const forms = storedDeliveryKeys(key, this.legacyDeliveryKeysUntil);
    const sql = forms.length === 1 ? 'server_guid = ?' : 'server_guid IN (?, ?)';
    return this.stmt(`SELECT 1 FROM messages WHERE ${sql}`).get(...forms) !== undefined;
  }

  /** True when this (source, device, timestamp) is already stored: the envelope was a re-delivery. */
  hasIncoming(sourceServiceId: string, sourceDevice: number, sentAt: number): boolean {
    return (
      this.stmt(
        'SELECT 1 FROM messages WHERE source_service_id = ? AND source_device = ? AND sent_at = ?',
      ).get(sourceServiceId, sourceDevice, sentAt) !== undefined
    );
  }

  /**
   * Store an incoming message once. Returns `{ inserted: false }` when the idempotency key (or the
   * delivery key) is already present, so a re-delivered envelope is harmless.
   */
  insertIncoming(input: IncomingMessageInput): { inserted: boolean; message?: Message } {
    const now = this.clock();
    const id = timeOrderedId(now);
    const timer = checkTimer(input.expireTimerSeconds);
    // Read at arrival (the chat is on screen) or a tombstone: the countdown starts now, nothing unread.
    const read = input.read === true || input.deleted === true;
    const result = this.stmt(
      `INSERT INTO messages (id, conversation_id, kind, direction, sent_at, received_at, server_guid,
           source_service_id, source_device, body, status, read, expire_timer_seconds, expires_at, view_once,
           deleted)
         VALUES (?, ?, 'message', 'in', ?, ?, ?, ?, ?, ?, 'received', ?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
    ).run(
      id,
      input.conversationId,
      input.sentAt,
      now,
      input.deliveryKey ?? null,
      input.sourceServiceId,
      input.sourceDevice,
      input.deleted ? null : input.body,
      read ? 1 : 0,
      timer,
      read && timer !== null ? now + timer * 1000 : null,
      input.viewOnce ? 1 : 0,
      input.deleted ? 1 : 0,
    );
    if (result.changes === 0) return { inserted: false };
    if (!input.deleted) {
      this.linkAttachments(id, input.attachmentIds);
      this.linkPreview(id, input.preview);
      this.linkQuote(id, input.quote);
    }
    const message = this.bySeq(Number(result.lastInsertRowid));
    this.stmt(
      `UPDATE conversations SET unread_count = unread_count + ?, last_message_seq = ?, last_activity_at = ?
         WHERE id = ?`,
    ).run(read ? 0 : 1, message.seq, now, input.conversationId);
    this.emit('message.added', message);
    this.conversationChanged(input.conversationId);
    return { inserted: true, message };
  }

  /** Store an outgoing message; the disappearing countdown starts now (at send). */
  insertOutgoing(input: OutgoingMessageInput): Message {
    const now = this.clock();
    const id = timeOrderedId(now);
    const timer = checkTimer(input.expireTimerSeconds);
    const result = this.stmt(
      `INSERT INTO messages (id, conversation_id, kind, direction, sent_at, received_at, source_service_id,
           source_device, body, status, read, expire_timer_seconds, expires_at, view_once)
         VALUES (?, ?, 'message', 'out', ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
    ).run(
      id,
      input.conversationId,
      input.sentAt,
      now,
      input.sourceServiceId,
      input.sourceDevice,
      input.body,
      input.status ?? 'pending',
      timer,
      timer === null ? null : input.sentAt + timer * 1000,
      input.viewOnce ? 1 : 0,
    );
    this.linkAttachments(id, input.attachmentIds);
    this.linkPreview(id, input.preview);
    this.linkQuote(id, input.quote);
    const message = this.bySeq(Number(result.lastInsertRowid));
    this.stmt('UPDATE conversations SET last_message_seq = ?, last_activity_at = ? WHERE id = ?').run(
      message.seq,
      now,
      input.conversationId,
    );
    this.emit('message.added', message);
    this.conversationChanged(input.conversationId);
    return message;
  }

  /**
   * A timeline marker (identity changed, timer changed, decryption failed, a group change). Never holds
   * message content; `data` is JSON (a group change's is structured: src/groups/group-changes.ts).
   */
  addEvent(
    conversationId: string,
    eventType: TimelineEventType,
    data: Readonly<Record<string, unknown>> = {},
    options: { deliveryKey?: string | null; sentAt?: number | undefined } = {},
  ): Message | undefined {
    const now = this.clock();
    const result = this.stmt(
      `INSERT INTO messages (id, conversation_id, kind, direction, sent_at, received_at, server_guid, read,
           event_type, event_data)
         VALUES (?, ?, 'event', 'in', ?, ?, ?, 1, ?, ?)
         ON CONFLICT DO NOTHING`,
    ).run(
      timeOrderedId(now),
      conversationId,
      options.sentAt ?? now,
      now,
      options.deliveryKey ?? null,
      eventType,
      JSON.stringify(data),
    );
    if (result.changes === 0) return undefined;
    const message = this.bySeq(Number(result.lastInsertRowid));
    this.stmt('UPDATE conversations SET last_message_seq = ?, last_activity_at = ? WHERE id = ?').run(
      message.seq,
      now,
      conversationId,
    );
    this.emit('message.added', message);
    this.conversationChanged(conversationId);
    return message;
  }

  /**
   * Our sends still "pending" from before this unlock can never finish (the vault closed under them):
   * "failed", so the UI offers Send again. Found through the partial index of vault migration 0013.
   */
  failInterruptedSends(): number {
    return this.stmt(
      `UPDATE messages SET status = 'failed' WHERE status = 'pending' AND direction = 'out'`,
    ).run().changes;
  }

  setStatus(messageId: string, status: MessageStatus): Message {
    this.stmt('UPDATE messages SET status = ? WHERE id = ?').run(status, messageId);
    const message = this.getMessage(messageId);
    if (!message) throw new NotFoundError('No such message.');
    this.emit('message.updated', message);
    return message;
  }

  /**
   * Apply a delivery/read/viewed receipt from `fromServiceId` to our outgoing messages with those
   * timestamps. Status only moves forward (a late delivery receipt never downgrades "read").
   */
  applyReceipt(fromServiceId: string, kind: ReceiptKind, sentTimestamps: readonly number[]): Message[] {
    const conversation = this.findConversationByServiceId(fromServiceId);
    if (!conversation) return [];
    const status: MessageStatus = kind === 'delivery' ? 'delivered' : kind === 'read' ? 'read' : 'viewed';
    const select = this.stmt(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE conversation_id = ? AND direction = 'out' AND kind = 'message' AND sent_at = ?`,
    );
    const update = this.stmt('UPDATE messages SET status = ? WHERE seq = ?');
    const updated: Message[] = [];
    for (const ts of sentTimestamps) {
      for (const row of select.all(conversation.id, ts) as MessageRow[]) {
        if (row.status && STATUS_RANK[row.status] >= STATUS_RANK[status]) continue;
        update.run(status, row.seq);
        const message = this.bySeq(row.seq);
        updated.push(message);
        this.emit('message.updated', message);
      }
    }
    return updated;
  }

  /**
   * Mark incoming messages read (all, or up to `upToSeq`). Starts the disappearing countdown of each
   * (expiresAt = now + timer) and returns the newly read ones, for read receipts.
   */
  markRead(conversationId: string, upToSeq?: number): ReadResult {
    return this.transaction(() => {
      const now = this.clock();
      const upTo = upToSeq ?? Number.MAX_SAFE_INTEGER;
      const rows = this.stmt(
        `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE conversation_id = ? AND read = 0 AND direction = 'in' AND seq <= ?
           ORDER BY seq`,
      ).all(conversationId, upTo) as MessageRow[];
      // One statement for the rows just read (same predicate, same transaction); the returned messages are
      // those rows with the two changed fields, not each read again with its attachments and reactions.
      this.stmt(
        `UPDATE messages SET read = 1, expires_at = CASE WHEN expire_timer_seconds IS NULL THEN expires_at
           ELSE ? + expire_timer_seconds * 1000 END
         WHERE conversation_id = ? AND read = 0 AND direction = 'in' AND seq <= ?`,
      ).run(now, conversationId, upTo);
      const newlyRead = rows.map((row) =>
        toMessage({
          ...row,
          read: 1,
          expires_at:
            row.expire_timer_seconds === null ? row.expires_at : now + row.expire_timer_seconds * 1000,
        }),
      );
      for (const message of newlyRead) this.emit('message.updated', message);
      const unread = this.stmt(
        `SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ? AND read = 0 AND direction = 'in'
             AND kind = 'message'`,
      ).get(conversationId) as { n: number };
      this.stmt('UPDATE conversations SET unread_count = ?, marked_unread = 0 WHERE id = ?').run(
        unread.n,
        conversationId,
      );
      this.conversationChanged(conversationId);
      return { newlyRead };
    });
  }

  /**
   * Signal's long text arrived (limits.ts): it becomes the message's body and the attachment that carried
   * it leaves the message (the caller shreds it). No event: the download round reports the message once.
   * Undefined when the message is gone or no longer holds that attachment.
   */
  applyLongText(messageId: string, attachmentId: string, body: string): Message | undefined {
    return this.transaction(() => {
      const { changes } = this.stmt(
        'DELETE FROM message_attachments WHERE message_id = ? AND attachment_id = ?',
      ).run(messageId, attachmentId);
      if (changes === 0) return undefined;
      this.stmt('UPDATE messages SET body = ? WHERE id = ? AND view_once = 0').run(body, messageId);
      return this.getMessage(messageId);
    });
  }

  /** Mark a view-once message viewed and drop its body (it may be shown once only). */
  markViewed(messageId: string): Message {
    const { changes } = this.stmt(
      'UPDATE messages SET viewed = 1, body = NULL WHERE id = ? AND view_once = 1',
    ).run(messageId);
    // The message no longer refers to its media (the caller shreds it; the sweep catches leftovers).
    if (changes > 0) this.stmt('DELETE FROM message_attachments WHERE message_id = ?').run(messageId);
    const message = this.getMessage(messageId);
    if (!message) throw new NotFoundError('No such message.');
    this.emit('message.updated', message);
    return message;
  }

  /**
   * Newest first, 50 rows a page (cursor-based: pass the previous page's nextCursor as `before`, or its
   * newerCursor as `after` to walk towards the newest, e.g. from a quoted message).
   */
  page(
    conversationId: string,
    options: { before?: string | null; after?: string | null; limit?: number } = {},
  ): Page {
    const limit = options.limit ?? PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ValidationError('Invalid page size.');
    const seqOf = (m: Message | undefined): string | null => (m ? String(m.seq) : null);
    if (options.after) {
      const rows = this.stmt(
        `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE conversation_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?`,
      ).all(conversationId, parseCursor(options.after), limit + 1) as MessageRow[];
      const messages = rows.slice(0, limit).map(toMessage).reverse();
      const oldest = messages[messages.length - 1];
      return {
        messages,
        nextCursor: oldest && this.hasSeq(conversationId, '<', oldest.seq) ? seqOf(oldest) : null,
        newerCursor: rows.length > limit ? seqOf(messages[0]) : null,
      };
    }
    const before = options.before ? parseCursor(options.before) : Number.MAX_SAFE_INTEGER;
    const rows = this.stmt(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
    ).all(conversationId, before, limit + 1) as MessageRow[];
    const more = rows.length > limit;
    const messages = rows.slice(0, limit).map(toMessage);
    const newest = messages[0];
    return {
      messages,
      nextCursor: more ? seqOf(messages[messages.length - 1]) : null,
      newerCursor:
        options.before && newest && this.hasSeq(conversationId, '>', newest.seq) ? seqOf(newest) : null,
    };
  }

  private hasSeq(conversationId: string, op: '<' | '>', seq: number): boolean {
    return (
      this.stmt(`SELECT 1 FROM messages WHERE conversation_id = ? AND seq ${op} ? LIMIT 1`).get(
        conversationId,
        seq,
      ) !== undefined
    );
  }

  /** Delete every message whose disappearing timer ran out (secure_delete overwrites the rows). */
  deleteExpired(now: number = this.clock()): number {
    return this.transaction(() => {
      const rows = this.stmt(
        'SELECT id, conversation_id FROM messages WHERE expires_at IS NOT NULL AND expires_at <= ?',
      ).all(now) as Array<{ id: string; conversation_id: string }>;
      if (rows.length === 0) return 0;
      this.stmt('DELETE FROM messages WHERE expires_at IS NOT NULL AND expires_at <= ?').run(now);
      const touched = new Set<string>();
      for (const row of rows) {
        touched.add(row.conversation_id);
        this.emit('message.removed', { id: row.id, conversationId: row.conversation_id });
      }
      for (const conversationId of touched) this.refreshCounters(conversationId);
      return rows.length;
    });
  }

  /**
   * Delete a conversation and its whole timeline (secure_delete overwrites the rows). Returns the
   * attachment ids its messages held, for the caller to shred.
   */
  deleteConversation(conversationId: string): string[] {
    return this.transaction(() => {
      const rows = this.stmt(
        `SELECT l.attachment_id FROM messages m JOIN message_attachments l ON l.message_id = m.id
           WHERE m.conversation_id = ? ORDER BY m.seq, l.position`,
      ).all(conversationId) as Array<{ attachment_id: string }>;
      this.stmt('DELETE FROM messages WHERE conversation_id = ?').run(conversationId);
      this.stmt('DELETE FROM conversations WHERE id = ?').run(conversationId);
      return rows.map((row) => row.attachment_id);
    });
  }

  /** The attachment ids of messages whose timer ran out (delete them with the messages). */
  expiredAttachmentIds(now: number = this.clock()): string[] {
    const rows = this.stmt(
      `SELECT l.attachment_id FROM messages m JOIN message_attachments l ON l.message_id = m.id
         WHERE m.expires_at IS NOT NULL AND m.expires_at <= ? ORDER BY m.seq, l.position`,
    ).all(now) as Array<{ attachment_id: string }>;
    return rows.map((row) => row.attachment_id);
  }

  /** The earliest pending expiry, so a timer can be set for the next deleteExpired(). */
  nextExpiry(): number | null {
    const row = this.stmt('SELECT MIN(expires_at) AS t FROM messages WHERE expires_at IS NOT NULL').get() as {
      t: number | null;
    };
    return row.t;
  }

  countMessages(conversationId: string): number {
    const row = this.stmt(
      `SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ? AND kind = 'message'`,
    ).get(conversationId) as { n: number };
    return row.n;
  }

  private readonly statements = new Map<string, Statement<unknown[]>>();

  /** Prepared statements are cached: the receive pipeline runs the same few thousands of times. */
  private stmt(sql: string): Statement<unknown[]> {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** The message's attachments, in order (inside the caller's transaction, right after its insert). */
  private linkAttachments(messageId: string, attachmentIds: readonly string[] | undefined): void {
    if (!attachmentIds?.length) return;
    const link = this.stmt(
      'INSERT INTO message_attachments (message_id, position, attachment_id) VALUES (?, ?, ?)',
    );
    attachmentIds.forEach((attachmentId, position) => link.run(messageId, position, attachmentId));
  }

  private linkPreview(messageId: string, preview: MessagePreview | undefined): void {
    if (!preview) return;
    this.stmt(
      `INSERT INTO message_previews (message_id, url, title, description, image_attachment_id)
         VALUES (?, ?, ?, ?, ?)`,
    ).run(messageId, preview.url, preview.title, preview.description, preview.imageAttachmentId);
  }

  private linkQuote(messageId: string, quote: QuoteInput | undefined): void {
    if (!quote) return;
    this.stmt(
      `INSERT INTO message_quotes (message_id, author_service_id, sent_at, text, has_attachment,
           attachment_content_type, attachment_file_name, attachment_has_thumbnail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      messageId,
      quote.authorServiceId,
      quote.sentAt,
      quote.text,
      quote.attachment ? 1 : 0,
      quote.attachment?.contentType ?? null,
      quote.attachment?.fileName ?? null,
      quote.attachment?.hasThumbnail ? 1 : 0,
    );
  }

  /**
   * For the writers of ./reactions.ts, ./edits.ts, ./remote-delete.ts (their own SQL on the same
   * connection, inside this store's transaction): the message as it is now, announced as updated — with
   * its conversation, whose list preview may have been that text (edited, or deleted for everyone).
   */
  changed(messageId: string): Message {
    const message = this.getMessage(messageId);
    if (!message) throw new NotFoundError('No such message.');
    this.emit('message.updated', message);
    this.conversationChanged(message.conversationId);
    return message;
  }

  /** For ./remote-delete.ts: a message left the timeline (deleted for me); counters follow. */
  removed(removed: { readonly id: string; readonly conversationId: string }): void {
    this.emit('message.removed', removed);
    this.refreshCounters(removed.conversationId);
  }

  private refreshCounters(conversationId: string): void {
    this.stmt(
      `UPDATE conversations SET
           last_message_seq = (SELECT MAX(seq) FROM messages WHERE conversation_id = @id),
           unread_count = (SELECT COUNT(*) FROM messages WHERE conversation_id = @id AND read = 0
             AND direction = 'in' AND kind = 'message')
         WHERE id = @id`,
    ).run({ id: conversationId });
    this.conversationChanged(conversationId);
  }

  private bySeq(seq: number): Message {
    return toMessage(
      this.stmt(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE seq = ?`).get(seq) as MessageRow,
    );
  }
}

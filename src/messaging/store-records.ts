/**
 * The message store's records (what src/messaging/store.ts hands out) and how a row of the vault's
 * messages/conversations tables becomes one. Kept apart from the store's queries so each file does one job.
 */
import {
  MEANING_COLUMNS,
  parseQuote,
  parseReactions,
  type QuoteInput,
  type StoredQuote,
  type StoredReaction,
} from './message-meaning.js';

export type MessageDirection = 'in' | 'out';
export type MessageKind = 'message' | 'event';
export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'viewed' | 'failed' | 'received';
export type TimelineEventType = 'identity-changed' | 'timer-changed' | 'decryption-failed' | 'group-change';
export type ReceiptKind = 'delivery' | 'read' | 'viewed';

export interface Conversation {
  readonly id: string;
  readonly serviceId: string;
  readonly e164: string | null;
  readonly profileName: string | null;
  readonly isContact: boolean;
  readonly acceptedAt: number | null;
  /** Held as a message request (block-unknown-senders = hold-as-request): no receipts until accepted. */
  readonly isRequest: boolean;
  readonly blocked: boolean;
  /** Per-chat disappearing-messages override in seconds; null = use the default setting. */
  readonly expireTimerSeconds: number | null;
  readonly unreadCount: number;
  readonly lastMessageSeq: number | null;
  readonly lastActivityAt: number | null;
  readonly safetyNumberChanged: boolean;
  readonly createdAt: number;
  /** Signal's disappearing-timer version (a lower one from the contact does not override ours). */
  readonly expireTimerVersion: number;
  /** The user's "mark as unread", until the chat is read again. */
  readonly markedUnread: boolean;
}

/** What a conversation list shows of the newest timeline entry. */
export interface LastMessage {
  readonly kind: MessageKind;
  readonly body: string | null;
  readonly hasAttachments: boolean;
  readonly receivedAt: number;
}

export interface ConversationSummary extends Conversation {
  /** Null when the timeline is empty. */
  readonly lastMessage: LastMessage | null;
}

/** A message's link preview (message_previews, vault migration 0007); its text is already bounded. */
export interface MessagePreview {
  readonly url: string;
  readonly title: string;
  readonly description: string | null;
  /** The preview's image: one of the message's attachmentIds, or null. */
  readonly imageAttachmentId: string | null;
}

export interface Message {
  readonly id: string;
  /** Insertion order; the paging key. */
  readonly seq: number;
  readonly conversationId: string;
  readonly kind: MessageKind;
  readonly direction: MessageDirection;
  readonly sentAt: number;
  readonly receivedAt: number;
  readonly sourceServiceId: string | null;
  readonly sourceDevice: number | null;
  readonly body: string | null;
  readonly status: MessageStatus | null;
  readonly read: boolean;
  readonly expireTimerSeconds: number | null;
  readonly expiresAt: number | null;
  readonly viewOnce: boolean;
  readonly viewed: boolean;
  readonly attachmentIds: readonly string[];
  readonly preview: MessagePreview | null;
  readonly eventType: TimelineEventType | null;
  readonly eventData: Readonly<Record<string, unknown>> | null;
  readonly quote: StoredQuote | null;
  readonly reactions: readonly StoredReaction[];
  /** When the latest edit was sent; null = never edited. Only the latest text is kept. */
  readonly editedAt: number | null;
  readonly editCount: number;
  /** A delete-for-everyone tombstone: its content is gone. */
  readonly deleted: boolean;
}

export interface StoreEvents {
  'message.added': Message;
  'message.updated': Message;
  'message.removed': { readonly id: string; readonly conversationId: string };
  'conversation.updated': Conversation;
}
export type StoreEventName = keyof StoreEvents;

export interface IncomingMessageInput {
  readonly conversationId: string;
  readonly sourceServiceId: string;
  readonly sourceDevice: number;
  readonly sentAt: number;
  /** src/messaging/delivery-key.ts: skips a re-delivered envelope before it is decrypted. */
  readonly deliveryKey?: string | null;
  readonly body: string | null;
  readonly expireTimerSeconds?: number | null;
  readonly viewOnce?: boolean;
  readonly attachmentIds?: readonly string[];
  readonly preview?: MessagePreview;
  readonly quote?: QuoteInput;
  /** Arrives into the chat that is open and visible: read at once (no unread count, no toast). */
  readonly read?: boolean;
  /** Its delete-for-everyone came first: stored as a tombstone only (pass no body or attachments). */
  readonly deleted?: boolean;
}

export interface OutgoingMessageInput {
  readonly conversationId: string;
  readonly sourceServiceId: string;
  readonly sourceDevice: number;
  readonly sentAt: number;
  /** Null for an attachment-only message. */
  readonly body: string | null;
  readonly expireTimerSeconds?: number | null;
  readonly status?: MessageStatus;
  readonly viewOnce?: boolean;
  /** AttachmentRecords ids of our own stored copies. */
  readonly attachmentIds?: readonly string[];
  readonly preview?: MessagePreview;
  readonly quote?: QuoteInput;
}

export interface ConversationInit {
  readonly e164?: string | null;
  readonly profileName?: string | null;
  readonly isContact?: boolean;
  readonly acceptedAt?: number | null;
  readonly isRequest?: boolean;
}

export type ConversationPatch = Partial<
  Pick<
    Conversation,
    | 'profileName'
    | 'e164'
    | 'isContact'
    | 'acceptedAt'
    | 'isRequest'
    | 'blocked'
    | 'expireTimerSeconds'
    | 'safetyNumberChanged'
    | 'expireTimerVersion'
    | 'markedUnread'
  >
>;

export interface Page {
  readonly messages: readonly Message[];
  /** Pass as `before` to get the next (older) page; null when this is the oldest page. */
  readonly nextCursor: string | null;
  /** Pass as `after` to get the next newer page; null when this page holds the newest message. */
  readonly newerCursor: string | null;
}

export interface ReadResult {
  /** Incoming messages newly marked read, grouped for read receipts. */
  readonly newlyRead: readonly Message[];
}

export interface MessageRow {
  seq: number;
  id: string;
  conversation_id: string;
  kind: MessageKind;
  direction: MessageDirection;
  sent_at: number;
  received_at: number;
  server_guid: string | null;
  source_service_id: string | null;
  source_device: number | null;
  body: string | null;
  status: MessageStatus | null;
  read: number;
  expire_timer_seconds: number | null;
  expires_at: number | null;
  view_once: number;
  viewed: number;
  /** JSON array, in order (MESSAGE_COLUMNS). */
  attachment_ids: string;
  /** JSON object or null (MESSAGE_COLUMNS). */
  preview: string | null;
  event_type: TimelineEventType | null;
  event_data: string | null;
  edited_at: number | null;
  edit_count: number;
  deleted: number;
  /** JSON object or null (MEANING_COLUMNS). */
  quote: string | null;
  /** JSON array (MEANING_COLUMNS). */
  reactions: string;
}

export interface ConversationRow {
  id: string;
  service_id: string;
  e164: string | null;
  profile_name: string | null;
  profile_key: Buffer | null;
  is_contact: number;
  accepted_at: number | null;
  is_request: number;
  blocked: number;
  expire_timer_seconds: number | null;
  unread_count: number;
  last_message_seq: number | null;
  last_activity_at: number | null;
  safety_number_changed: number;
  created_at: number;
  expire_timer_version: number;
  marked_unread: number;
}

/**
 * A message row with its attachment ids in order (message_attachments, vault migration 0006) and its
 * link preview (message_previews, 0007); select it `FROM messages m`. Each correlated subquery is one
 * index lookup per row.
 */
export const MESSAGE_COLUMNS = `m.*, (SELECT json_group_array(attachment_id ORDER BY position)
    FROM message_attachments WHERE message_id = m.id) AS attachment_ids,
  (SELECT json_object('url', url, 'title', title, 'description', description,
      'imageAttachmentId', image_attachment_id)
    FROM message_previews WHERE message_id = m.id) AS preview, ${MEANING_COLUMNS}`;

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    seq: row.seq,
    conversationId: row.conversation_id,
    kind: row.kind,
    direction: row.direction,
    sentAt: row.sent_at,
    receivedAt: row.received_at,
    sourceServiceId: row.source_service_id,
    sourceDevice: row.source_device,
    body: row.body,
    status: row.status,
    read: row.read === 1,
    expireTimerSeconds: row.expire_timer_seconds,
    expiresAt: row.expires_at,
    viewOnce: row.view_once === 1,
    viewed: row.viewed === 1,
    attachmentIds: JSON.parse(row.attachment_ids) as string[],
    preview: row.preview ? (JSON.parse(row.preview) as MessagePreview) : null,
    eventType: row.event_type,
    eventData: row.event_data ? (JSON.parse(row.event_data) as Record<string, unknown>) : null,
    quote: parseQuote(row.quote),
    reactions: parseReactions(row.reactions),
    editedAt: row.edited_at,
    editCount: row.edit_count,
    deleted: row.deleted === 1,
  };
}

export function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    serviceId: row.service_id,
    e164: row.e164,
    profileName: row.profile_name,
    isContact: row.is_contact === 1,
    acceptedAt: row.accepted_at,
    isRequest: row.is_request === 1,
    blocked: row.blocked === 1,
    expireTimerSeconds: row.expire_timer_seconds,
    unreadCount: row.unread_count,
    lastMessageSeq: row.last_message_seq,
    lastActivityAt: row.last_activity_at,
    safetyNumberChanged: row.safety_number_changed === 1,
    createdAt: row.created_at,
    expireTimerVersion: row.expire_timer_version,
    markedUnread: row.marked_unread === 1,
  };
}

/**
 * How a message's quote, reactions, edit and delete state are read with it (vault migration 0008): the
 * SQL columns MessageStore selects for every message row and their parsing. The writes live with their
 * rules: ./quotes.ts, ./reactions.ts, ./edits.ts, ./remote-delete.ts.
 */

/** The quoted message as the sender described it; `foundId` is our copy of it, if we still have it. */
export interface StoredQuote {
  readonly authorServiceId: string;
  /** The quoted author is not the chat's contact, i.e. us (a 1:1 chat has two people). */
  readonly authorIsYou: boolean;
  readonly sentAt: number;
  readonly text: string;
  readonly attachment: {
    readonly contentType: string | null;
    readonly fileName: string | null;
    readonly hasThumbnail: boolean;
  } | null;
  readonly foundId: string | null;
}

/** What a new message's quote stores (the text is already bounded). */
export type QuoteInput = Omit<StoredQuote, 'foundId' | 'authorIsYou'>;

export interface StoredReaction {
  readonly reactorServiceId: string;
  /** Ours (the reactor is not the chat's contact). */
  readonly fromYou: boolean;
  readonly emoji: string;
  readonly reactedAt: number;
}

/**
 * "Is this service id us?" from the message row: an outgoing message's source is us; in a 1:1 chat (two
 * people) an incoming one's is the contact, so anyone else is us. In a group (conversation service id
 * `group:…`, src/groups/group-store.ts) an incoming message has a third party in it: compare with our ACI.
 */
const isUs = (column: string): string =>
  `(CASE WHEN m.direction = 'out' THEN ${column} = m.source_service_id
     WHEN (SELECT service_id FROM conversations WHERE id = m.conversation_id) LIKE 'group:%'
       THEN ${column} = (SELECT service_id FROM signal_local_identity WHERE kind = 'aci')
     ELSE ${column} <> m.source_service_id END)`;

/**
 * Selected with `m.*` FROM messages m. The original of a quote is found by (conversation, author, sent
 * time) among messages that are not tombstones — an expired or deleted original is simply not found. The
 * lookup names the messages_sent_at index: left to itself the planner walked the conversation's whole
 * timeline per quote (25 ms a page of 50 in a 10,000-message chat instead of 1 ms).
 */
export const MEANING_COLUMNS = `(SELECT json_object('authorServiceId', q.author_service_id,
      'authorIsYou', ${isUs('q.author_service_id')}, 'sentAt', q.sent_at,
      'text', q.text, 'hasAttachment', q.has_attachment, 'contentType', q.attachment_content_type,
      'fileName', q.attachment_file_name, 'hasThumbnail', q.attachment_has_thumbnail,
      'foundId', (SELECT t.id FROM messages t INDEXED BY messages_sent_at
          WHERE t.conversation_id = m.conversation_id
          AND t.direction IN ('in', 'out') AND t.sent_at = q.sent_at AND t.kind = 'message'
          AND t.source_service_id = q.author_service_id AND t.deleted = 0 LIMIT 1))
    FROM message_quotes q WHERE q.message_id = m.id) AS quote,
  (SELECT json_group_array(json_object('reactorServiceId', reactor_service_id, 'emoji', emoji,
      'reactedAt', reacted_at, 'fromYou', ${isUs('reactor_service_id')}))
    FROM message_reactions WHERE message_id = m.id) AS reactions`;

interface QuoteJson {
  authorServiceId: string;
  authorIsYou: number;
  sentAt: number;
  text: string;
  hasAttachment: number;
  contentType: string | null;
  fileName: string | null;
  hasThumbnail: number;
  foundId: string | null;
}

export function parseQuote(json: string | null): StoredQuote | null {
  if (!json) return null;
  const q = JSON.parse(json) as QuoteJson;
  return {
    authorServiceId: q.authorServiceId,
    authorIsYou: q.authorIsYou === 1,
    sentAt: q.sentAt,
    text: q.text,
    attachment: q.hasAttachment
      ? { contentType: q.contentType, fileName: q.fileName, hasThumbnail: q.hasThumbnail === 1 }
      : null,
    foundId: q.foundId,
  };
}

export function parseReactions(json: string | null): StoredReaction[] {
  if (!json) return [];
  return (JSON.parse(json) as Array<Omit<StoredReaction, 'fromYou'> & { fromYou: number }>).map((r) => ({
    ...r,
    fromYou: r.fromYou === 1,
  }));
}

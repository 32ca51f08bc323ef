/**
 * What a message MEANS beyond its text (issue 14): the quote it replies to, reactions, edits, the
 * delete-for-everyone tombstone and who set a chat's timer. Platform-free zod only; re-exported from
 * ../models.ts. Imports nothing from ../models.ts (no cycle).
 */
import { z } from 'zod';
import { isSingleEmoji, MESSAGE_CHANGE_WINDOW_MS } from '../../../messaging/meaning-rules.js';
import { MessageAuthorSchema } from './message-author.js';

// Signal's rules, the same the core applies: the UI offers edit and delete for everyone only within
// MESSAGE_CHANGE_WINDOW_MS of sending, and checks a typed reaction with isSingleEmoji.
export { isSingleEmoji, MESSAGE_CHANGE_WINDOW_MS };

/** The first attachment of a quoted message, as Signal describes it (no bytes, no pointer). */
const QuotedAttachmentSchema = z.object({
  contentType: z.string().nullable(),
  fileName: z.string().nullable(),
  /** The quote carried a thumbnail (not shown yet: the core does not download quote thumbnails). */
  hasThumbnail: z.boolean(),
});

/** The message a reply quotes, as the sender described it. */
const QuoteSchema = z.object({
  /** The quoted message was ours (else the contact's, in a 1:1 chat). */
  authorIsYou: z.boolean(),
  /** The quoted message's sent timestamp (Signal's id for it). */
  sentAt: z.number(),
  /**
   * Our copy of the quoted message (for "jump to": messages.around), or null when we do not have it —
   * never had, expired or deleted; then `found` is false and the UI says "Original message not found".
   */
  messageId: z.string().nullable(),
  found: z.boolean(),
  /** The sender's excerpt (at most QUOTE_TEXT_MAX_CHARS); empty for an attachment-only message. */
  text: z.string(),
  attachment: QuotedAttachmentSchema.nullable(),
  /** In a group: who wrote the quoted message ("You" for us); absent in a 1:1 chat (`authorIsYou` says). */
  author: MessageAuthorSchema.optional(),
});
export type Quote = z.infer<typeof QuoteSchema>;

/** Who reacted: you, or the contact of this 1:1 chat (the UI names them with the chat's title). */
const ReactorSchema = z.object({
  fromYou: z.boolean(),
  reactedAt: z.number(),
  /** In a group: the reactor, named ("You" for us); absent in a 1:1 chat. */
  person: MessageAuthorSchema.optional(),
});

/** One emoji's reactions on a message: one reaction per person (a new one replaces, `remove` removes). */
const ReactionGroupSchema = z.object({
  emoji: z.string(),
  count: z.number().int().positive(),
  /** You are among the reactors (the UI highlights it; reacting again with it removes it). */
  includesYou: z.boolean(),
  reactors: z.array(ReactorSchema),
});
export type ReactionGroup = z.infer<typeof ReactionGroupSchema>;

/**
 * A timer-changed timeline event: who set the chat's disappearing-messages timer to what. The UI formats
 * it ("Alice set disappearing messages to 1 week" / "You turned off disappearing messages").
 */
const TimerChangeSchema = z.object({
  setByYou: z.boolean(),
  /** Null = off. */
  seconds: z.number().int().nonnegative().nullable(),
});

/**
 * The fields issue 14 adds to MessageSchema; all defaulted, so older producers stay valid.
 * - `deleted`: a delete-for-everyone tombstone ("This message was deleted"): body, quote, preview and
 *   attachments are erased from the vault and come back empty.
 * - `editedAt`: when the latest edit was sent (the UI shows "edited"); only the latest text is kept.
 */
export const MESSAGE_EXTRA_FIELDS = {
  quote: QuoteSchema.nullable().default(null),
  reactions: z.array(ReactionGroupSchema).default([]),
  editedAt: z.number().nullable().default(null),
  deleted: z.boolean().default(false),
  /** Set on `timer-changed` events; null otherwise. */
  timerChange: TimerChangeSchema.nullable().default(null),
} as const;

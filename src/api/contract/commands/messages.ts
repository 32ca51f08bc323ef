/**
 * Commands for messages: pages, send (and reply), reactions, delete for everyone / for me, edits, read
 * state, view-once, typing, link previews. Refusals are typed: NOT_FOUND (no such message in our vault, or
 * not in a conversation we have), PRECONDITION with a sentence saying why (too late, not yours, …).
 */
import { z } from 'zod';
import {
  PREVIEW_MAX_DESCRIPTION_CHARS,
  PREVIEW_MAX_IMAGE_BYTES,
  PREVIEW_MAX_TITLE_CHARS,
  PREVIEW_MAX_URL_CHARS,
} from '../../../net/link-preview-rules.js';
import {
  ViewOnceItemSchema,
  Base64,
  Cursor,
  Id,
  isSingleEmoji,
  LinkPreviewSchema,
  MessagePageSchema,
  MessageSchema,
  Ok,
} from '../models.js';

const Body = z.string().trim().min(1).max(4000);
import { command } from './command.js';

export const MESSAGES_COMMANDS = {
  /**
   * A page of the timeline, newest first: the newest `limit` messages, or those just older than `before`,
   * or just newer than `after` (one of the two at most).
   */
  'messages.page': command(
    z
      .strictObject({
        conversationId: Id,
        before: Cursor.optional(),
        after: Cursor.optional(),
        limit: z.number().int().min(1).max(200).optional(),
      })
      .refine((input) => input.before === undefined || input.after === undefined, {
        message: 'Page either before or after a cursor, not both.',
      }),
    MessagePageSchema,
  ),
  /**
   * "Jump to the quoted message": a page of the timeline with `messageId` in it (about `limit` messages,
   * half older, half newer), newest first. `nextCursor` continues older (messages.page `before`),
   * `newerCursor` newer (`after`). NOT_FOUND when the message is gone (expired, deleted, never had).
   */
  'messages.around': command(
    z.strictObject({ messageId: Id, limit: z.number().int().min(2).max(200).optional() }),
    MessagePageSchema,
  ),
  /**
   * Send a text, optionally with the link preview the user saw (from linkPreview.fetch): it goes only if
   * its link appears in the body (Signal's rule), its text bounded and its image stripped of metadata.
   * `replyTo`: a message of this chat to quote (author, sent time, a text excerpt, its first attachment's
   * descriptor — as Signal encodes a quote). NOT_FOUND when it is not in this chat; PRECONDITION for a
   * deleted message, a timeline event or a view-once message (Signal does not quote those).
   */
  'messages.send': command(
    z.strictObject({
      conversationId: Id,
      body: Body,
      replyTo: Id.optional(),
      preview: z
        .strictObject({
          url: z.string().min(1).max(PREVIEW_MAX_URL_CHARS),
          // Code points are capped by the core; UTF-16 length is at most twice that.
          title: z.string().max(PREVIEW_MAX_TITLE_CHARS * 2),
          description: z
            .string()
            .max(PREVIEW_MAX_DESCRIPTION_CHARS * 2)
            .optional(),
          imageBase64: Base64.min(1)
            .max(Math.ceil(PREVIEW_MAX_IMAGE_BYTES / 3) * 4)
            .optional(),
        })
        .optional(),
    }),
    MessageSchema,
  ),
  /**
   * Send one of our messages that failed again (Signal's "Send again"): the same text, quote, link preview,
   * attachments (uploaded again from our stored copies, with progress) and view-once flag, under its first
   * timestamp, so a recipient that got it after all keeps one copy. The message is "pending" while it goes
   * and returns "sent" or, failing again, "failed" with the error. NOT_FOUND: no such message; PRECONDITION:
   * not ours, not failed (a "Send again" already running included), deleted, or a file of it is gone;
   * BLOCKED, UNTRUSTED_IDENTITY and the route's errors as for a new message.
   */
  'messages.resend': command(z.strictObject({ messageId: Id }), MessageSchema),
  /**
   * React to a message (ours or the contact's) with one emoji; one reaction per person per message, so a
   * new one replaces ours and `remove: true` takes ours away (`emoji` = the one to remove). Returns the
   * updated message (also sent as `message.updated`). NOT_FOUND: no such message; PRECONDITION: a
   * timeline event, a deleted message, a held message request or a blocked contact. A malformed emoji
   * (not exactly one) is INVALID_INPUT.
   */
  'messages.react': command(
    z.strictObject({
      messageId: Id,
      emoji: z.string().refine(isSingleEmoji, { message: 'Exactly one emoji.' }),
      remove: z.boolean().optional(),
    }),
    MessageSchema,
  ),
  /**
   * Delete one of our own messages for everyone (Signal's remote delete): within 24 hours of sending (the
   * limit Signal's apps enforce on receipt). The text, quote, preview and attachments are erased from the
   * vault (secure_delete) and a tombstone stays ("You deleted this message"); returns it. NOT_FOUND: no
   * such message; PRECONDITION: not ours ("Only your own messages can be deleted for everyone."), too late
   * ("It is too late to delete this message for everyone (24 hours)."), already deleted, not yet sent.
   */
  'messages.deleteForEveryone': command(z.strictObject({ messageId: Id }), MessageSchema),
  /**
   * Delete a message (any) from this device only: erased like a disappearing message (rows with
   * secure_delete, files removed), `message.removed` follows. NOT_FOUND: no such message.
   */
  'messages.deleteForMe': command(z.strictObject({ messageId: Id }), Ok),
  /**
   * Edit one of our own sent text messages (Signal's limits: within 24 hours, at most 10 edits). Only the
   * latest text is kept (the message shows "edited"); attachments cannot change. Returns the message.
   * NOT_FOUND: no such message; PRECONDITION: not ours, not a text message (events, view-once),
   * deleted, not yet sent, too late ("It is too late to edit this message (24 hours).") or too many edits
   * ("This message was edited too many times (10).").
   */
  'messages.edit': command(z.strictObject({ messageId: Id, body: Body }), MessageSchema),
  'messages.markRead': command(z.strictObject({ conversationId: Id }), Ok),
  /**
   * Mark a chat unread (Signal's "mark as unread"): `markedUnread` is set until it is read again (opening
   * it, messages.markRead or messages.setVisible). No receipts are sent or withdrawn.
   */
  'messages.markUnread': command(z.strictObject({ conversationId: Id }), Ok),
  /**
   * The chat that is open AND visible (window shown and focused), or null for none. Setting a chat marks
   * it read (like messages.markRead); while it stays visible, messages arriving in it are read at once:
   * read receipts if enabled, no unread count, no toast. Dropped on lock. NOT_FOUND: no such chat.
   */
  'messages.setVisible': command(z.strictObject({ conversationId: Id.nullable() }), Ok),
  /**
   * A preview of a link the user typed (never of a received one). PRECONDITION while the linkPreviews
   * setting is off (nothing is fetched); a newer call cancels one still running; every fetch failure is
   * the one LINK_PREVIEW error, whatever the site did.
   */
  'linkPreview.fetch': command(
    z.strictObject({ url: z.string().min(1).max(PREVIEW_MAX_URL_CHARS) }),
    LinkPreviewSchema,
  ),
  /** Send files (base64; images are stripped of metadata in the core) with an optional caption. */
  /**
   * Open a received view-once message (ALREADY_VIEWED afterwards): it is marked viewed and its files are
   * read with attachments.readRange — the only way they can be read — until each was read to its end (or
   * 30 s passed without a read); then they are shredded.
   */
  'messages.viewOnce': command(
    z.strictObject({ messageId: Id }),
    z.object({ items: z.array(ViewOnceItemSchema) }),
  ),

  /** Tell the contact we started/stopped typing (1:1 only; nothing is stored). */
  'typing.send': command(z.strictObject({ conversationId: Id, started: z.boolean() }), Ok),
} as const;

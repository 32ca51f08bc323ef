/** Commands for messages: pages, send, read state, view-once, typing, link previews. */
import { z } from 'zod';
import {
  PREVIEW_MAX_DESCRIPTION_CHARS,
  PREVIEW_MAX_IMAGE_BYTES,
  PREVIEW_MAX_TITLE_CHARS,
  PREVIEW_MAX_URL_CHARS,
} from '../../../net/link-preview-rules.js';
import {
  AttachmentBytesSchema,
  Base64,
  Cursor,
  Id,
  LinkPreviewSchema,
  MessagePageSchema,
  MessageSchema,
  Ok,
} from '../models.js';
import { command } from './command.js';

export const MESSAGES_COMMANDS = {
  'messages.page': command(
    z.strictObject({
      conversationId: Id,
      before: Cursor.optional(),
      limit: z.number().int().min(1).max(200).optional(),
    }),
    MessagePageSchema,
  ),
  /**
   * Send a text, optionally with the link preview the user saw (from linkPreview.fetch): it goes only if
   * its link appears in the body (Signal's rule), its text bounded and its image stripped of metadata.
   */
  'messages.send': command(
    z.strictObject({
      conversationId: Id,
      body: z.string().trim().min(1).max(4000),
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
  'messages.markRead': command(z.strictObject({ conversationId: Id }), Ok),
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
  /** Open a received view-once message: its media once, then deleted (ALREADY_VIEWED afterwards). */
  'messages.viewOnce': command(
    z.strictObject({ messageId: Id }),
    z.object({ items: z.array(AttachmentBytesSchema) }),
  ),

  /** Tell the contact we started/stopped typing (1:1 only; nothing is stored). */
  'typing.send': command(z.strictObject({ conversationId: Id, started: z.boolean() }), Ok),
} as const;

/** Commands for attachments: stage, send, read, save. */
import { z } from 'zod';
import { STAGING_LIMITS } from '../../../messaging/attachments/limits.js';
import {
  AttachmentBytesSchema,
  Base64,
  Id,
  MAX_COMMAND_FILE_BASE64,
  MAX_FILES_PER_MESSAGE,
  MessageSchema,
} from '../models.js';
import { command } from './command.js';

export const ATTACHMENTS_COMMANDS = {
  /**
   * Announces a file to send; its bytes follow with attachments.stageChunk (in order, each at most
   * `chunkBytes`) into a file staged in the vault, which attachments.send takes by `stageId`. At most 32
   * stages at once; a stage left alone for 10 minutes, cancelled or open at lock is wiped.
   */
  'attachments.stageBegin': command(
    z.strictObject({ size: z.number().int().min(1).max(STAGING_LIMITS.maxFileBytes) }),
    z.object({ stageId: z.string(), chunkBytes: z.number().int() }),
  ),
  /** The next chunk of a staged file, starting at `offset` (= the bytes staged so far). */
  'attachments.stageChunk': command(
    z.strictObject({
      stageId: Id,
      offset: z.number().int().nonnegative(),
      dataBase64: Base64.min(1).max(MAX_COMMAND_FILE_BASE64),
    }),
    z.object({ received: z.number().int() }),
  ),
  /**
   * Lets the user choose files with the platform's own dialog (Electron: main's dialog) and stages them
   * in the core, which reads them by path: the UI gets stage ids and names, never the bytes or paths.
   * An empty list when the user cancelled; NOT_AVAILABLE where there is no native dialog (the web harness
   * stages the page's files with attachments.stageChunk).
   */
  'attachments.pick': command(
    z.strictObject({}),
    z.object({
      files: z.array(z.object({ stageId: z.string(), fileName: z.string(), size: z.number().int() })),
    }),
  ),
  /** Wipes a staged file (NOT_FOUND when there is none). */
  'attachments.stageCancel': command(
    z.strictObject({ stageId: Id }),
    z.object({ cancelled: z.literal(true) }),
  ),
  'attachments.send': command(
    z
      .strictObject({
        conversationId: Id,
        files: z
          .array(
            z.union([
              z.strictObject({
                /** A complete staged file (attachments.stage*): how the UI sends files. */
                stageId: Id,
                fileName: z.string().min(1).max(255).optional(),
              }),
              z.strictObject({
                /**
                 * A small file inline (at most one staging chunk): bigger files are staged, so no whole
                 * large file ever crosses the UI boundary in one message.
                 */
                dataBase64: Base64.min(1).max(MAX_COMMAND_FILE_BASE64),
                fileName: z.string().min(1).max(255).optional(),
              }),
            ]),
          )
          .min(1)
          .max(MAX_FILES_PER_MESSAGE),
        body: z.string().trim().max(4000).optional(),
        /** One photo or video the contact can open once. */
        viewOnce: z.boolean().optional(),
      })
      .refine(
        (input) =>
          input.files.reduce((n, f) => n + ('dataBase64' in f ? f.dataBase64.length : 0), 0) <=
          MAX_COMMAND_FILE_BASE64,
        { message: 'Files sent inline are limited to 1 MiB together; stage bigger ones.' },
      )
      .refine((input) => !input.viewOnce || input.files.length === 1, {
        message: 'View-once takes exactly one photo or video.',
      }),
    MessageSchema,
  ),
  /**
   * The bytes of a downloaded attachment to show (blob: URL in the renderer, revoked on lock): a thumbnail,
   * or a whole file of at most one staging chunk (1 MiB; link-preview images are never larger). A bigger
   * file is PRECONDITION here and is read with attachments.readRange.
   */
  'attachments.read': command(
    z.strictObject({ attachmentId: Id, which: z.enum(['full', 'thumbnail']).optional() }),
    AttachmentBytesSchema,
  ),
  /**
   * A range of a downloaded attachment (at most `chunkBytes` of attachments.stageBegin), so a large file
   * is shown or saved piece by piece; `size` is the whole file's. Executables need `confirmExecutable`.
   */
  'attachments.readRange': command(
    z.strictObject({
      attachmentId: Id,
      offset: z.number().int().nonnegative(),
      length: z.number().int().min(1).max(STAGING_LIMITS.chunkBytes),
      confirmExecutable: z.boolean().optional(),
    }),
    z.object({
      dataBase64: z.string(),
      offset: z.number().int(),
      size: z.number().int(),
      blobType: z.string(),
    }),
  ),
  /**
   * Saves a downloaded attachment where the user chooses in the platform's own save dialog (Electron:
   * main's dialog); the core writes the file piece by piece, so its bytes never cross the UI boundary.
   * `saved: false` when the user cancelled the dialog. A potentially executable file needs
   * `confirmExecutable: true`, else CONFIRMATION_REQUIRED. NOT_AVAILABLE where there is no native dialog
   * (the web harness saves through the page: attachments.readRange into a download link).
   */
  'attachments.saveToDisk': command(
    z.strictObject({ attachmentId: Id, confirmExecutable: z.boolean().optional() }),
    z.object({ saved: z.boolean() }),
  ),
  /**
   * Cancels the upload or download running for this attachment (NOT_FOUND when none runs): an upload's
   * message becomes 'failed' and nothing is sent; a download stays 'pending' (not downloaded), nothing
   * is written, and `attachments.download` fetches it again.
   */
  'attachments.cancel': command(
    z.strictObject({ attachmentId: Id }),
    z.object({ cancelled: z.literal(true) }),
  ),
  /** Downloads a not-yet-downloaded attachment now (e.g. after a cancel); resolves with its message. */
  'attachments.download': command(z.strictObject({ attachmentId: Id }), MessageSchema),
} as const;

/** Every command: name → { input, output } zod schemas. */
import { z } from 'zod';
import { DISAPPEARING_TIMER_SECONDS } from '../../settings/schema.js';
import {
  PREVIEW_MAX_DESCRIPTION_CHARS,
  PREVIEW_MAX_IMAGE_BYTES,
  PREVIEW_MAX_TITLE_CHARS,
  PREVIEW_MAX_URL_CHARS,
} from '../../net/link-preview-rules.js';
import {
  AccountStatusSchema,
  AppInfoSchema,
  AttachmentBytesSchema,
  AuditReportSchema,
  Base64,
  ConversationSchema,
  Cursor,
  E164,
  Empty,
  Id,
  LinkPreviewSchema,
  LockReasonSchema,
  MAX_ATTACHMENT_BASE64,
  MAX_FILES_PER_MESSAGE,
  MessagePageSchema,
  MessageSchema,
  Ok,
  Passphrase,
  Pin,
  PinCheckSchema,
  PinReminderAnswerSchema,
  PinReminderStatusSchema,
  RegistrationStepSchema,
  SafetyNumberSchema,
  VaultStatusSchema,
} from './models.js';
import { SettingsUpdateSchema, SettingsViewSchema } from './settings-view.js';
import { EVENTS } from './events.js';

function command<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output } as const;
}

/** Every command: name → { input, output } zod schemas. The name is `<namespace>.<method>`. */
export const COMMANDS = {
  'app.info': command(Empty, AppInfoSchema),
  /**
   * The connection state now (the `network.status` event's payload): a window that opens while connected
   * would otherwise show "offline" until the next change. "offline" while locked.
   */
  'network.status': command(Empty, EVENTS['network.status']),

  'vault.status': command(Empty, VaultStatusSchema),
  /**
   * First run: a passphrase, or the explicit insecure no-passphrase mode (the key in a 0600 file next to
   * the data; labelled in the UI and counted by the hardening report). Never both, never by omission.
   */
  'vault.create': command(
    z.union([
      z.strictObject({ passphrase: Passphrase }),
      z.strictObject({ insecureNoPassphrase: z.literal(true) }),
    ]),
    Ok,
  ),
  /** Without a passphrase only in no-passphrase mode (otherwise PRECONDITION, no guess counted). */
  'vault.unlock': command(z.strictObject({ passphrase: z.string().min(1).max(1024).optional() }), Ok),
  'vault.lock': command(z.strictObject({ reason: LockReasonSchema.optional() }), Ok),
  /** `current` is left out only in no-passphrase mode, which this leaves. */
  'vault.changePassphrase': command(
    z.strictObject({ current: z.string().min(1).max(1024).optional(), next: Passphrase }),
    Ok,
  ),
  /** User activity: postpones auto-lock. */
  'activity.touch': command(Empty, Ok),

  'settings.get': command(Empty, SettingsViewSchema),
  'settings.update': command(z.strictObject({ patch: SettingsUpdateSchema }), SettingsViewSchema),

  'account.status': command(Empty, AccountStatusSchema),
  'account.startRegistration': command(z.strictObject({ e164: E164 }), RegistrationStepSchema),
  'account.submitCaptcha': command(
    z.strictObject({ sessionId: Id, captcha: z.string().min(1).max(4096) }),
    RegistrationStepSchema,
  ),
  'account.submitCode': command(
    z.strictObject({
      sessionId: Id,
      code: z.string().regex(/^\d{6}$/, 'The code has 6 digits'),
      /** Needed only when the number has a registration lock. */
      pin: Pin.optional(),
    }),
    AccountStatusSchema,
  ),
  /**
   * The number has a registration lock (REGISTRATION_LOCKED from submitCode): the Signal PIN unlocks it
   * and restores the account data (identity keys, contacts, settings). WRONG_PIN carries the tries left.
   */
  'account.submitPin': command(z.strictObject({ sessionId: Id, pin: Pin }), AccountStatusSchema),

  'conversations.list': command(Empty, z.array(ConversationSchema)),
  /** Start (or find) a 1:1 conversation by phone number or by ACI service id. */
  'conversations.start': command(
    z.union([
      z.strictObject({ e164: E164 }),
      z.strictObject({
        serviceId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i),
        /** A local name for the contact (kept in the vault only). */
        name: z.string().trim().min(1).max(100).optional(),
      }),
    ]),
    ConversationSchema,
  ),
  /**
   * Remove a (stale) contact: they stop getting our profile key — it is rotated (new key uploaded, the
   * old one they hold no longer opens our profile) and only our remaining contacts get the new one.
   * `deleteHistory` also deletes the conversation and its messages/attachments (→ `conversation: null`
   * and a `conversation.removed` event); otherwise it stays, marked `isContact: false`. Needs the
   * connection (the new key is uploaded). If the upload fails, the contact is still removed and the
   * error (NETWORK / SERVER) is returned: removing again retries the rotation.
   */
  'conversations.removeContact': command(
    z.strictObject({ conversationId: Id, deleteHistory: z.boolean() }),
    z.object({ conversation: ConversationSchema.nullable() }),
  ),
  'conversation.open': command(
    z.strictObject({ conversationId: Id, limit: z.number().int().min(1).max(200).optional() }),
    z.object({ conversation: ConversationSchema, page: MessagePageSchema }),
  ),
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
  'attachments.send': command(
    z
      .strictObject({
        conversationId: Id,
        files: z
          .array(
            z.strictObject({
              dataBase64: Base64.min(1).max(MAX_ATTACHMENT_BASE64),
              fileName: z.string().min(1).max(255).optional(),
            }),
          )
          .min(1)
          .max(MAX_FILES_PER_MESSAGE),
        body: z.string().trim().max(4000).optional(),
        /** One photo or video the contact can open once. */
        viewOnce: z.boolean().optional(),
      })
      .refine((input) => input.files.reduce((n, f) => n + f.dataBase64.length, 0) <= MAX_ATTACHMENT_BASE64, {
        message: 'The files are larger than 100 MiB together.',
      })
      .refine((input) => !input.viewOnce || input.files.length === 1, {
        message: 'View-once takes exactly one photo or video.',
      }),
    MessageSchema,
  ),
  /** The bytes of a downloaded attachment to show (blob: URL in the renderer, revoked on lock). */
  'attachments.read': command(
    z.strictObject({ attachmentId: Id, which: z.enum(['full', 'thumbnail']).optional() }),
    AttachmentBytesSchema,
  ),
  /**
   * The bytes to save as a file (the renderer offers a download link; nothing is opened). A potentially
   * executable file needs `confirmExecutable: true`, else CONFIRMATION_REQUIRED.
   */
  'attachments.save': command(
    z.strictObject({ attachmentId: Id, confirmExecutable: z.boolean().optional() }),
    z.object({
      dataBase64: z.string(),
      fileName: z.string(),
      blobType: z.literal('application/octet-stream'),
    }),
  ),
  /** Open a received view-once message: its media once, then deleted (ALREADY_VIEWED afterwards). */
  'messages.viewOnce': command(
    z.strictObject({ messageId: Id }),
    z.object({ items: z.array(AttachmentBytesSchema) }),
  ),
  'conversation.setDisappearingTimer': command(
    /** null = follow the default from settings; 0 = off for this chat. */
    z.strictObject({ conversationId: Id, seconds: z.literal(DISAPPEARING_TIMER_SECONDS).nullable() }),
    ConversationSchema,
  ),
  /** Accept a held message request (unknown sender): receipts and our profile flow from now on. */
  'conversation.acceptRequest': command(z.strictObject({ conversationId: Id }), ConversationSchema),
  /** Block or unblock a contact. */
  'conversation.setBlocked': command(
    z.strictObject({ conversationId: Id, blocked: z.boolean() }),
    ConversationSchema,
  ),
  /** Accept a changed safety number so sending works again. */
  'conversation.confirmIdentity': command(z.strictObject({ conversationId: Id }), ConversationSchema),

  'safetyNumber.get': command(z.strictObject({ conversationId: Id }), SafetyNumberSchema),
  'safetyNumber.setVerified': command(
    z.strictObject({ conversationId: Id, verified: z.boolean() }),
    SafetyNumberSchema,
  ),

  'pin.check': command(z.strictObject({ pin: z.string().max(128) }), PinCheckSchema),
  'pin.generate': command(Empty, z.object({ pin: z.string() })),
  'pin.set': command(z.strictObject({ pin: Pin, acceptWeak: z.boolean().optional() }), AccountStatusSchema),
  'registrationLock.set': command(z.strictObject({ enabled: z.boolean() }), AccountStatusSchema),
  /** Is a PIN reminder due? (Local only: the PIN's argon2 hash lives in the vault.) */
  'pin.reminderStatus': command(Empty, PinReminderStatusSchema),
  /** Answer a reminder: checked against the local hash; wrong → reminded sooner, right → later. */
  'pin.answerReminder': command(z.strictObject({ pin: z.string().min(1).max(128) }), PinReminderAnswerSchema),

  /** Tell the contact we started/stopped typing (1:1 only; nothing is stored). */
  'typing.send': command(z.strictObject({ conversationId: Id, started: z.boolean() }), Ok),

  'audit.get': command(Empty, AuditReportSchema),
  'audit.applyRecommended': command(Empty, AuditReportSchema),
} as const;

export type CommandName = keyof typeof COMMANDS;
export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];
export type CommandInput<N extends CommandName> = z.input<(typeof COMMANDS)[N]['input']>;
export type CommandOutput<N extends CommandName> = z.output<(typeof COMMANDS)[N]['output']>;

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(COMMANDS, value);
}

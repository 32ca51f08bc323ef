/**
 * The ONE contract between the UI and the core: every command (zod input + output schema) and every
 * event (zod payload schema) the renderer uses. PLATFORM-FREE: zod and types only, no Node imports —
 * the renderer, the Electron preload/IPC adapter (main/) and the web harness (e2e/harness) all import it.
 *
 * Shape of a call: `window.carapace.<namespace>.<method>(input)` → `Promise<ApiResult<output>>`, where
 * `<namespace>.<method>` is a key of COMMANDS. Secrets (passphrases, PINs) cross this boundary as strings
 * (JSON); the core service turns them into Buffers at once and zeroes them after use.
 */
import { z } from 'zod';
import {
  AUTO_LOCK_SECONDS,
  DEFAULT_SETTINGS,
  DISAPPEARING_TIMER_SECONDS,
  durationLabel,
  proxySettingSchema,
  settingsPatchSchema as SettingsPatchSchema,
  settingsSchema as SettingsSchema,
  type Settings,
} from '../settings/schema.js';
import {
  firstHttpsLink,
  PREVIEW_MAX_DESCRIPTION_CHARS,
  PREVIEW_MAX_IMAGE_BYTES,
  PREVIEW_MAX_TITLE_CHARS,
  PREVIEW_MAX_URL_CHARS,
} from '../net/link-preview-rules.js';

// The settings schema is owned by src/settings (platform-free); re-exported so the UI imports src/api only.
export { AUTO_LOCK_SECONDS, DEFAULT_SETTINGS, DISAPPEARING_TIMER_SECONDS, durationLabel };
export type { Settings } from '../settings/schema.js';
// The composer finds the link to preview by the same rule the core applies to what is sent.
export { firstHttpsLink };

// ---------------------------------------------------------------------------------------------------
// Results and errors

/** Every error the UI can receive. `code` is a CarapaceError code (src/errors.ts) or one below. */
export interface ApiError {
  readonly code: string;
  readonly message: string;
  /** For UNLOCK_THROTTLED / WRONG_PASSPHRASE: how long until the next try is allowed. */
  readonly retryAfterMs?: number;
  /** For WRONG_PIN: tries the key backup has left before it is deleted. */
  readonly triesRemaining?: number;
}
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/**
 * Stable error codes with the explanation the UI shows. The CarapaceError codes of src/errors.ts plus
 * INTERNAL (an unexpected failure; details stay in the core) and DISCONNECTED (the UI lost its connection
 * to the core). The UI shows the explanation and the error's message together, so the two never say the
 * same thing: the explanation names what happened, the message the specifics or what to do.
 */
export const ERROR_EXPLANATIONS = {
  VAULT_LOCKED: 'Carapace is locked.',
  WRONG_PASSPHRASE: 'That passphrase is not correct.',
  UNLOCK_THROTTLED: 'Too many wrong passphrases.',
  VAULT_NOT_INITIALIZED: 'No encrypted profile exists yet.',
  VAULT_ALREADY_EXISTS: 'An encrypted profile already exists here.',
  VAULT_CORRUPT: 'The encrypted profile is damaged and cannot be opened.',
  PROFILE_IN_USE: 'This profile is already open in another Carapace process.',
  INVALID_INPUT: 'Some of the input is not valid. Check the highlighted fields.',
  NOT_FOUND: 'Not found — it may have been deleted in the meantime.',
  PRECONDITION: 'That cannot be done at this point.',
  BLOCKED: 'This contact is blocked.',
  NOT_CONNECTED: 'Carapace is not connected to the Signal service right now.',
  PROXY_UNAVAILABLE: 'The proxy cannot be reached. Carapace will not connect without it.',
  PROXY_AUTH_FAILED: 'The proxy refused the username or password.',
  NETWORK: 'The network is not reachable right now.',
  SERVER: 'The Signal server returned an error. Try again later.',
  PROTOCOL: 'The server sent something Carapace could not understand.',
  DECRYPTION_FAILED: 'A message could not be decrypted.',
  UNTRUSTED_IDENTITY: 'The safety number with this contact changed.',
  NOT_REGISTERED: 'This device is not registered yet.',
  REGISTRATION_LOCKED: 'This number is protected by a registration lock.',
  WRONG_VERIFICATION_CODE: 'That verification code is not correct.',
  WRONG_PIN: 'That PIN is not correct.',
  KEY_BACKUP_UNAVAILABLE: 'The PIN-protected key backup is gone.',
  VAULT_FILE_NOT_FOUND: 'A stored file is missing from the encrypted profile.',
  LINK_PREVIEW: 'No preview could be made for that link.',
  WEAK_PIN: 'That PIN is too easy to guess. Choose a longer one.',
  ATTACHMENT: 'The attachment could not be processed.',
  ALREADY_VIEWED: 'This view-once media was already opened.',
  CONFIRMATION_REQUIRED: 'This file type can run code on your computer. Confirm before saving it.',
  NOT_AVAILABLE: 'This is not available in this build or configuration.',
  INTERNAL: 'Something went wrong inside Carapace. Nothing was lost; try again.',
  DISCONNECTED: 'The connection to the Carapace core was lost. Reload to reconnect.',
} as const satisfies Record<string, string>;

/** The user-facing explanation for an error code (a generic line for codes this build does not know). */
export function explainError(code: string): string {
  return (ERROR_EXPLANATIONS as Record<string, string>)[code] ?? ERROR_EXPLANATIONS.INTERNAL;
}

// ---------------------------------------------------------------------------------------------------
// Shared value schemas

const Empty = z.strictObject({});
const Ok = z.strictObject({});
/** Passphrases: at least 8 characters at the boundary (the UI's strength meter asks for much more). */
const Passphrase = z.string().min(8).max(1024);
const Id = z.string().min(1).max(200);
/** E.164 phone number: + and 7–15 digits. Never logged. */
const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'Use international format, e.g. +15551234567');
const Pin = z.string().min(4).max(128);
const Cursor = z.string().min(1).max(200);

export const VaultStateSchema = z.enum(['uninitialized', 'locked', 'unlocked']);
export type VaultState = z.infer<typeof VaultStateSchema>;

export const LockReasonSchema = z.enum(['user', 'timer', 'suspend', 'shutdown']);
export type LockReason = z.infer<typeof LockReasonSchema>;

const VaultStatusSchema = z.object({
  state: VaultStateSchema,
  insecureNoPassphrase: z.boolean(),
});

export const AppInfoSchema = z.object({
  version: z.string(),
  /** 'demo' = the local mock network (visibly labelled in the UI); 'offline' = no network configured. */
  networkMode: z.enum(['demo', 'production', 'offline']),
  /** Content protection (screen security) works on macOS and Windows only. */
  screenSecuritySupported: z.boolean(),
  platform: z.string(),
  /**
   * What this build can do against its service (src/net/config.ts `capabilitiesOf`). In production PIN
   * backup and registration lock are off: the UI hides them and says why.
   */
  capabilities: z.object({ pinBackup: z.boolean(), registrationLock: z.boolean() }),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const AccountStatusSchema = z.object({
  registered: z.boolean(),
  /** Shown to the user only; never logged. */
  e164: z.string().nullable(),
  aci: z.string().nullable(),
  deviceId: z.number().int().nullable(),
  pinSet: z.boolean(),
  pinStrengthBits: z.number().nullable(),
  registrationLock: z.boolean(),
});
export type AccountStatus = z.infer<typeof AccountStatusSchema>;

export const RegistrationStepSchema = z.object({
  sessionId: z.string(),
  /** What the user must do next. */
  next: z.enum(['captcha', 'code', 'done']),
});
export type RegistrationStep = z.infer<typeof RegistrationStepSchema>;

const VerifiedStateSchema = z.enum(['default', 'verified', 'unverified']);

export const ConversationSchema = z.object({
  id: z.string(),
  title: z.string(),
  serviceId: z.string().nullable(),
  unreadCount: z.number().int().nonnegative(),
  lastMessageAt: z.number().nullable(),
  /** A short preview of the last message (core-side truncated); null when none. */
  lastMessagePreview: z.string().nullable(),
  /** Per-chat disappearing-messages override in seconds; null = use the default from settings. */
  expireTimerSeconds: z.number().int().nonnegative().nullable(),
  safetyNumberChanged: z.boolean(),
  verified: VerifiedStateSchema,
  blocked: z.boolean(),
  /** Held as a message request (unknown sender under hold-as-request). */
  isRequest: z.boolean(),
  /** In our contacts (started by us or accepted). False after `conversations.removeContact` kept the history. */
  isContact: z.boolean(),
});
export type Conversation = z.infer<typeof ConversationSchema>;

/**
 * Attachment limits at the boundary. Files cross it as base64 inside one JSON message (IPC or the
 * harness WebSocket): simple, and at Signal's 100 MiB cap the 33 % base64 overhead is tolerable on a
 * desktop; chunking would add a stateful upload protocol to the API for no gain at this size.
 */
export const MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024;
export const MAX_ATTACHMENT_BASE64 = Math.ceil(MAX_ATTACHMENT_BYTES / 3) * 4;
export const MAX_FILES_PER_MESSAGE = 32;
const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

export const AttachmentSchema = z.object({
  id: z.string(),
  state: z.enum(['pending', 'ready', 'failed']),
  /** Sniffed from the bytes (never the sender's claim); null while pending. */
  contentType: z.string().nullable(),
  fileName: z.string().nullable(),
  size: z.number().int().nonnegative().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  /** A raster image that may be shown inline (a blob: URL of the image type). */
  inlineImage: z.boolean(),
  hasThumbnail: z.boolean(),
  /** Saving needs an explicit confirmation (CONFIRMATION_REQUIRED otherwise). Never auto-opened. */
  potentiallyExecutable: z.boolean(),
  /** Why a download failed ('tampered', 'too-large', …); null otherwise. */
  failure: z.string().nullable(),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

export const AttachmentBytesSchema = z.object({
  dataBase64: z.string(),
  /** The Blob type to use: the image type for inline images, application/octet-stream otherwise. */
  blobType: z.string(),
  inlineImage: z.boolean(),
});
export type AttachmentBytes = z.infer<typeof AttachmentBytesSchema>;

const PREVIEW_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

/** A fetched link preview (linkPreview.fetch). `url` is the link as typed; the image comes as bytes. */
export const LinkPreviewSchema = z.object({
  url: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  /** Fetched by the core (checked by magic bytes); the renderer never gets a URL to load. */
  image: z.object({ dataBase64: z.string(), contentType: z.enum(PREVIEW_IMAGE_TYPES) }).nullable(),
});
export type LinkPreview = z.infer<typeof LinkPreviewSchema>;

/**
 * A message's link preview as it was sent or received — shown without any fetch. Its image is an
 * attachment of the message (read with attachments.read), listed here and not in `attachments`.
 */
const MessagePreviewSchema = z.object({
  url: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  image: AttachmentSchema.nullable(),
});

export const MessageSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  kind: z.enum(['text', 'identity-changed', 'timer-changed', 'decryption-failed']),
  direction: z.enum(['in', 'out']),
  body: z.string(),
  sentAt: z.number(),
  receivedAt: z.number(),
  status: z.enum(['sending', 'sent', 'delivered', 'read', 'failed', 'received']),
  expireTimerSeconds: z.number().int().nonnegative().nullable(),
  expiresAt: z.number().nullable(),
  attachments: z.array(AttachmentSchema),
  preview: MessagePreviewSchema.nullable(),
  /** View-once media: opens once (messages.viewOnce), then only the `viewed` marker remains. */
  viewOnce: z.boolean(),
  viewed: z.boolean(),
});
export type Message = z.infer<typeof MessageSchema>;

const MessagePageSchema = z.object({
  /** Newest first. */
  messages: z.array(MessageSchema),
  /** Pass as `before` to get the next (older) page; null when there are no older messages. */
  nextCursor: z.string().nullable(),
  total: z.number().int().nonnegative(),
});

export const SafetyNumberSchema = z.object({
  conversationId: z.string(),
  /** 60 digits. */
  digits: z.string().regex(/^\d{60}$/),
  /** The 60 digits in 12 groups of 5, as people read them aloud. */
  groups: z.array(z.string()),
  /** The scannable fingerprint payload, base64. The UI renders it as a QR code. */
  qrPayloadBase64: z.string(),
  verified: VerifiedStateSchema,
  changed: z.boolean(),
});
export type SafetyNumber = z.infer<typeof SafetyNumberSchema>;

export const PinCheckSchema = z.object({
  verdict: z.enum(['refused', 'weak-needs-confirmation', 'ok']),
  bits: z.number(),
  reasons: z.array(z.string()),
});
export type PinCheck = z.infer<typeof PinCheckSchema>;

export const PinReminderStatusSchema = z.object({
  pinSet: z.boolean(),
  remindersEnabled: z.boolean(),
  /** A reminder is due now: the UI asks for the PIN (never shows it). */
  due: z.boolean(),
  nextDueAt: z.number().nullable(),
  /** The current reminder interval; a wrong answer shortens it, a right one lengthens it. */
  intervalMs: z.number().nullable(),
});
export type PinReminderStatus = z.infer<typeof PinReminderStatusSchema>;

const PinReminderAnswerSchema = z.object({
  correct: z.boolean(),
  intervalMs: z.number(),
  nextDueAt: z.number(),
});

const AuditItemSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(['ok', 'advice']),
  advice: z.string(),
  /** True when "apply recommended" can fix it without user input. */
  autoFixable: z.boolean(),
});

export const AuditReportSchema = z.object({ items: z.array(AuditItemSchema) });
export type AuditReport = z.infer<typeof AuditReportSchema>;

// ---------------------------------------------------------------------------------------------------
// Settings as the UI sees and changes them. The proxy password is write-only: it stays in the core (the
// renderer's heap is the least trusted place we have), the view only says whether one is stored.

const Socks5ViewSchema = z.strictObject({
  mode: z.literal('socks5'),
  host: z.string(),
  port: z.number().int(),
  username: z.string().optional(),
  hasPassword: z.boolean(),
});
/** Every other proxy mode is shown as stored (none of them holds a secret); a socks5 one never passes here. */
const ProxyViewSchema = z.union([
  Socks5ViewSchema,
  proxySettingSchema.refine(
    (proxy) => proxy.mode !== 'socks5',
    'A SOCKS5 proxy is shown without its password.',
  ),
]);
export type ProxyView = z.infer<typeof ProxyViewSchema>;
const SettingsViewSchema = SettingsSchema.extend({ proxy: ProxyViewSchema });
export type SettingsView = z.infer<typeof SettingsViewSchema>;

/** The settings without the proxy password. */
export function settingsView(settings: Readonly<Settings>): SettingsView {
  const { proxy } = settings;
  if (proxy.mode !== 'socks5') return { ...settings, proxy: { ...proxy } };
  const { password, ...shown } = proxy;
  return { ...settings, proxy: { ...shown, hasPassword: password !== undefined } };
}

/**
 * A proxy in a settings patch: as stored, except that for SOCKS5 `password: null` removes the stored
 * password and leaving it out keeps it (only for the same host, port and username — see the handler).
 */
const ProxyPatchSchema = z.union([
  proxySettingSchema,
  z
    .strictObject({
      mode: z.literal('socks5'),
      host: z.string(),
      port: z.number(),
      username: z.string().optional(),
      password: z.null(),
    })
    .superRefine(({ password: _cleared, ...rest }, ctx) => {
      // The same rule as every stored proxy (src/settings/schema.ts), without the password.
      for (const issue of proxySettingSchema.safeParse(rest).error?.issues ?? []) {
        ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
      }
    }),
]);
const SettingsUpdateSchema = SettingsPatchSchema.extend({ proxy: ProxyPatchSchema.optional() });
export type SettingsUpdate = z.infer<typeof SettingsUpdateSchema>;
/** What a SOCKS5 proxy in a patch may carry beyond a stored one: `password: null`. */
export type ProxyPatch = NonNullable<SettingsUpdate['proxy']>;

// ---------------------------------------------------------------------------------------------------
// Commands

function command<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output } as const;
}

/** Every command: name → { input, output } zod schemas. The name is `<namespace>.<method>`. */
export const COMMANDS = {
  'app.info': command(Empty, AppInfoSchema),

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

// ---------------------------------------------------------------------------------------------------
// Events (core → UI)

export const EVENTS = {
  'vault.locked': z.object({ reason: LockReasonSchema }),
  'vault.unlocked': z.object({}),
  'message.added': z.object({ message: MessageSchema }),
  'message.updated': z.object({ message: MessageSchema }),
  /** A message disappeared (its timer ran out); the UI drops it. */
  'message.removed': z.object({ id: z.string(), conversationId: z.string() }),
  'conversation.updated': z.object({ conversation: ConversationSchema }),
  /** A conversation and its history were deleted (removeContact with deleteHistory); the UI drops it. */
  'conversation.removed': z.object({ conversationId: z.string() }),
  'identity.changed': z.object({ conversationId: z.string() }),
  /** Upload/download progress of an attachment (bytes of the encrypted blob). */
  'attachment.progress': z.object({
    messageId: z.string(),
    attachmentId: z.string(),
    direction: z.enum(['upload', 'download']),
    loaded: z.number().nonnegative(),
    total: z.number().nonnegative(),
  }),
  /** The contact started/stopped typing (ephemeral; the UI drops it after a few seconds without news). */
  typing: z.object({ conversationId: z.string(), started: z.boolean() }),
  'network.status': z.object({
    status: z.enum(['offline', 'connecting', 'online', 'proxy-error']),
    detail: z.string().optional(),
  }),
  'settings.changed': z.object({ settings: SettingsViewSchema }),
  /** An in-app notification. The core already applied notification privacy to title/body. */
  toast: z.object({
    kind: z.enum(['message', 'info', 'error']),
    title: z.string(),
    body: z.string().optional(),
    conversationId: z.string().optional(),
  }),
} as const;

export type EventName = keyof typeof EVENTS;
export type EventPayload<E extends EventName> = z.output<(typeof EVENTS)[E]>;

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(EVENTS, value);
}

// ---------------------------------------------------------------------------------------------------
// The API object the renderer sees as `window.carapace`

type NamespaceOf<N> = N extends `${infer A}.${string}` ? A : never;
type CommandArgs<N extends CommandName> =
  Record<string, never> extends CommandInput<N> ? [input?: CommandInput<N>] : [input: CommandInput<N>];
export type CommandMethod<N extends CommandName> = (
  ...args: CommandArgs<N>
) => Promise<ApiResult<CommandOutput<N>>>;

/** `window.carapace`: domain methods grouped by namespace, plus `on(event, handler) → unsubscribe`. */
export type CarapaceApi = {
  readonly [NS in NamespaceOf<CommandName>]: {
    readonly [N in CommandName as N extends `${NS}.${infer M}` ? M : never]: CommandMethod<N>;
  };
} & {
  readonly on: <E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void) => () => void;
};

/** One transport-level call; the preload (ipcRenderer.invoke) and the harness client (WebSocket) provide it. */
export type Invoke = (command: CommandName, input: unknown) => Promise<ApiResult<unknown>>;
export type Subscribe = (event: EventName, handler: (payload: unknown) => void) => () => void;

/**
 * Builds the `CarapaceApi` object from a transport. Shared by main/preload.ts and the harness client so
 * both expose exactly the same methods: one per command, nothing generic.
 */
export function buildCarapaceApi(invoke: Invoke, subscribe: Subscribe): CarapaceApi {
  const api: Record<string, Record<string, (input?: unknown) => Promise<ApiResult<unknown>>>> = {};
  for (const name of COMMAND_NAMES) {
    const dot = name.indexOf('.');
    const ns = name.slice(0, dot);
    const method = name.slice(dot + 1);
    const group = (api[ns] ??= {});
    group[method] = (input?: unknown) => invoke(name, input ?? {});
  }
  const on = (event: EventName, handler: (payload: unknown) => void): (() => void) => {
    if (!isEventName(event)) throw new TypeError('unknown event');
    return subscribe(event, handler);
  };
  return { ...api, on } as unknown as CarapaceApi;
}

/** Wire format of the harness WebSocket (JSON). The first client message is the token (a string). */
export const WireRequestSchema = z.strictObject({
  id: z.number().int().nonnegative(),
  command: z.string().max(64),
  input: z.unknown(),
});
export type WireMessage =
  { id: number; result: ApiResult<unknown> } | { event: EventName; payload: unknown } | { hello: 'ok' };

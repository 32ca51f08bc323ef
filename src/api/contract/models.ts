/** The value schemas commands and events carry (DTOs): what the UI may know of vaults, accounts, messages… */
import { z } from 'zod';
import { MAX_ATTACHMENT_BYTES, STAGING_LIMITS } from '../../messaging/attachments/limits.js';
import { SettingChangeSchema } from './models/audit-extras.js';
import { MESSAGE_EXTRA_FIELDS } from './models/message-extras.js';
import { MESSAGE_AUTHOR_FIELDS } from './models/message-author.js';
import { ConversationGroupSchema, GroupChangeSchema } from './models/groups.js';

export const Empty = z.strictObject({});
export const Ok = z.strictObject({});
/** Passphrases: at least 8 characters at the boundary (the UI's strength meter asks for much more). */
export const Passphrase = z.string().min(8).max(1024);
export const Id = z.string().min(1).max(200);
/** E.164 phone number: + and 7–15 digits. Never logged. */
export const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'Use international format, e.g. +15551234567');
export const Pin = z.string().min(4).max(128);
export const Cursor = z.string().min(1).max(200);

export const VaultStateSchema = z.enum(['uninitialized', 'locked', 'unlocked']);
export type VaultState = z.infer<typeof VaultStateSchema>;

export const LockReasonSchema = z.enum(['user', 'timer', 'suspend', 'shutdown']);
export type LockReason = z.infer<typeof LockReasonSchema>;

export const VaultStatusSchema = z.object({
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
  capabilities: z.object({
    pinBackup: z.boolean(),
    registrationLock: z.boolean(),
    /** Finding people by phone number (the demo network's directory); off in production (no CDSI here). */
    phoneNumberLookup: z.boolean().default(false),
    /** The trainer's workshop panel (demo network only). */
    workshop: z.boolean().default(false),
  }),
  /**
   * Files are chosen and saved with the platform's own dialogs (Electron: attachments.pick and
   * attachments.saveToDisk; their bytes never reach the UI). False in the web harness, which uses the page's.
   */
  nativeFileDialogs: z.boolean().default(false),
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
  /** Marked unread by the user (messages.markUnread) until it is read again; the UI shows a dot. */
  markedUnread: z.boolean().default(false),
  /** The contact's phone number when known (the chat header's second line). */
  e164: z.string().optional(),
  /** The username the chat was found by, when it was (the chat header's second line). */
  username: z.string().optional(),
  /** Set for a group conversation (groups.get has the whole group). */
  group: ConversationGroupSchema.nullable().default(null),
});
export type Conversation = z.infer<typeof ConversationSchema>;

/**
 * Attachment limits at the boundary (one rule with the core: src/messaging/attachments/limits.ts). Files
 * the UI sends cross it in bounded chunks into a vault-staged file (attachments.stage*); `dataBase64`
 * in attachments.send takes only small files (one chunk).
 */
export { MAX_ATTACHMENT_BYTES };
/**
 * The most of a file one command carries, as base64: one staging chunk (a small file inline, or one
 * chunk of a staged one). A link preview's image is held to the same 1 MiB. So no command from the UI
 * is larger than this plus its JSON framing.
 */
export const MAX_COMMAND_FILE_BASE64 = Math.ceil(STAGING_LIMITS.chunkBytes / 3) * 4;
export const MAX_FILES_PER_MESSAGE = 32;
export const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

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
  /**
   * Audio or video the UI may play when the user asks (a blob: URL of its sniffed type, read by range);
   * never played on its own. null for anything else.
   */
  media: z.enum(['audio', 'video']).nullable(),
  /** Saving needs an explicit confirmation (CONFIRMATION_REQUIRED otherwise). Never auto-opened. */
  potentiallyExecutable: z.boolean(),
  /** Why a download failed ('tampered', 'too-large', …); null otherwise. */
  failure: z.string().nullable(),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

export const AttachmentBytesSchema = z.object({
  dataBase64: z.string(),
  /**
   * The Blob type to use: the sniffed type for inline images and playable audio/video,
   * application/octet-stream otherwise (so nothing else can be rendered).
   */
  blobType: z.string(),
  inlineImage: z.boolean(),
});
export type AttachmentBytes = z.infer<typeof AttachmentBytesSchema>;

/** An opened view-once file (messages.viewOnce), read by range: no bytes here. */
export const ViewOnceItemSchema = z.object({
  attachmentId: z.string(),
  size: z.number().int().nonnegative(),
  /** As attachments.readRange gives it: the sniffed type for images and playable media, else octet-stream. */
  blobType: z.string(),
});

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
  kind: z.enum(['text', 'identity-changed', 'timer-changed', 'decryption-failed', 'group-change']),
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
  ...MESSAGE_EXTRA_FIELDS,
  /** Set on `group-change` events: who changed what in the group. */
  groupChange: GroupChangeSchema.nullable().default(null),
  ...MESSAGE_AUTHOR_FIELDS,
});
export type Message = z.infer<typeof MessageSchema>;

export const MessagePageSchema = z.object({
  /** Newest first. */
  messages: z.array(MessageSchema),
  /** Pass as `before` to get the next (older) page; null when there are no older messages. */
  nextCursor: z.string().nullable(),
  /** Pass as `after` to get the next newer page; absent or null when this page holds the newest message. */
  newerCursor: z.string().nullable().optional(),
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

export const PinReminderAnswerSchema = z.object({
  correct: z.boolean(),
  intervalMs: z.number(),
  nextDueAt: z.number(),
});

const AuditItemSchema = z.object({
  id: z.string(),
  title: z.string(),
  /** 'unavailable': cannot work on this platform or build (shown as "Not available here", not scored). */
  status: z.enum(['ok', 'advice', 'unavailable']),
  advice: z.string(),
  /** True when "apply recommended" can fix it without user input. */
  autoFixable: z.boolean(),
  /** Why the protection matters, shown for OK items too. */
  why: z.string().optional(),
});

export const AuditReportSchema = z.object({
  items: z.array(AuditItemSchema),
  /** After "apply recommended" or its undo: exactly the settings it changed. */
  changes: z.array(SettingChangeSchema).optional(),
});
export type AuditReport = z.infer<typeof AuditReportSchema>;

export * from './models/message-extras.js';
export * from './models/account-extras.js';
export * from './models/audit-extras.js';
export * from './models/groups.js';
export * from './models/message-author.js';

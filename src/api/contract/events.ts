/** Every event the core sends the UI, with its payload schema. */
import { z } from 'zod';
import { ConversationSchema, LockReasonSchema, MessageSchema } from './models.js';
import { SettingsViewSchema } from './settings-view.js';

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

/**
 * Who wrote a message in a group (issue 15): the per-message sender a group timeline shows above incoming
 * messages. Platform-free zod only; re-exported from ../models.ts and imports nothing from it (no cycle).
 */
import { z } from 'zod';

/** A person as this device names them: their chat's title (profile name, nickname, number), else unknown. */
export const MessageAuthorSchema = z.object({ serviceId: z.string(), name: z.string() });

/**
 * The field this file adds to MessageSchema, defaulted so older producers stay valid. `author` is set for
 * incoming messages in a group conversation — and for a group's `identity-changed` event, the member whose
 * safety number changed; null for our own messages and in 1:1 chats (the chat's title says who).
 */
export const MESSAGE_AUTHOR_FIELDS = {
  author: MessageAuthorSchema.nullable().default(null),
} as const;

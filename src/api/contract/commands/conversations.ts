/** Commands for conversations: list, start, open, per-chat state, safety numbers. */
import { z } from 'zod';
import { DISAPPEARING_TIMER_SECONDS } from '../../../settings/schema.js';
import { ConversationSchema, Empty, Id, MessagePageSchema, SafetyNumberSchema } from '../models.js';
import { StartConversationInputSchema } from '../models/account-extras.js';
import { command } from './command.js';

export const CONVERSATIONS_COMMANDS = {
  'conversations.list': command(Empty, z.array(ConversationSchema)),
  /**
   * Start (or find) a 1:1 conversation by username, username link, phone number (with consent; demo
   * network only — elsewhere NOT_AVAILABLE suggesting a username) or ACI service id.
   */
  'conversations.start': command(StartConversationInputSchema, ConversationSchema),
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
} as const;

/**
 * What a new-message notification may reveal under the user's notification-privacy setting — the one
 * rule for the in-app toast (src/api) and the OS notification (main/). Platform-free.
 */
import type { NotificationPrivacy } from './schema.js';

/** The text shown instead of a message body (and of the sender, at the strictest level). */
const NEW_MESSAGE = 'New message';

export interface NotificationText {
  /** The conversation's name; null when the setting hides who wrote. */
  readonly sender: string | null;
  /** The message text (clipped) or NEW_MESSAGE. */
  readonly text: string;
}

/** Whitespace collapsed, cut to `max` characters with an ellipsis. */
export function clipNotificationText(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/**
 * The alert for `count` new messages in one conversation (`message` is the latest). Several messages are
 * counted, not quoted, whatever the setting.
 */
export function notificationText(
  privacy: NotificationPrivacy,
  message: { readonly conversationName: string; readonly body: string | undefined },
  limits: { readonly sender: number; readonly text: number },
  count = 1,
): NotificationText {
  const fallback = count > 1 ? `${count} new messages` : NEW_MESSAGE;
  if (privacy === 'no-name-or-message') return { sender: null, text: fallback };
  const sender = clipNotificationText(message.conversationName, limits.sender) || null;
  if (privacy === 'name-only' || count > 1) return { sender, text: fallback };
  return { sender, text: clipNotificationText(message.body ?? '', limits.text) || NEW_MESSAGE };
}

/** One alert for new messages in several conversations: counts only, never a name, under every setting. */
export function severalConversationsText(messages: number, conversations: number): string {
  return `${messages} new messages in ${conversations} chats`;
}

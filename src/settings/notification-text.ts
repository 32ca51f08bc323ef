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
function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

export function notificationText(
  privacy: NotificationPrivacy,
  message: { readonly conversationName: string; readonly body: string | undefined },
  limits: { readonly sender: number; readonly text: number },
): NotificationText {
  if (privacy === 'no-name-or-message') return { sender: null, text: NEW_MESSAGE };
  const sender = clip(message.conversationName, limits.sender) || null;
  if (privacy === 'name-only') return { sender, text: NEW_MESSAGE };
  return { sender, text: clip(message.body ?? '', limits.text) || NEW_MESSAGE };
}

/**
 * What an OS notification may say (no electron import). Notification text leaves the encrypted vault:
 * the OS keeps it in its notification database, shows it on the lock screen and in screen shares, so it
 * follows the user's notification-privacy setting, and nothing at all is shown while the vault is locked.
 */
import { notificationText } from '../src/settings/notification-text.js';
import type { NotificationPrivacy } from '../src/settings/schema.js';

export interface IncomingMessageFacts {
  /** The conversation's display name (contact or group). */
  readonly conversationName: string;
  /** The message text; undefined for attachments-only messages. */
  readonly body: string | undefined;
}

export interface NotificationContent {
  readonly title: string;
  readonly body: string;
  readonly silent: boolean;
}

const APP_NAME = 'Carapace';
const LIMITS = { sender: 64, text: 160 };

export function formatNotification(
  privacy: NotificationPrivacy,
  locked: boolean,
  message: IncomingMessageFacts,
): NotificationContent | null {
  if (locked) return null;
  // At the strictest level: no sender, no text, no sound — only the fact that the app wants attention.
  if (privacy === 'no-name-or-message') return { title: APP_NAME, body: '', silent: true };
  const { sender, text } = notificationText(privacy, message, LIMITS);
  return { title: sender ?? APP_NAME, body: text, silent: false };
}

/** Which core messages raise an OS notification: incoming text, while the window is not focused. */
export function shouldNotify(
  message: { readonly direction: 'in' | 'out'; readonly kind: string },
  windowFocused: boolean,
): boolean {
  return message.direction === 'in' && message.kind === 'text' && !windowFocused;
}

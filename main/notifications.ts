/**
 * What an OS notification may say (no electron import). Notification text leaves the encrypted vault:
 * the OS keeps it in its notification database, shows it on the lock screen and in screen shares, so it
 * follows the user's notification-privacy setting, and nothing at all is shown while the vault is locked.
 */
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

export const APP_NAME = 'Carapace';
const MAX_TITLE = 64;
const MAX_BODY = 160;

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

export function formatNotification(
  privacy: NotificationPrivacy,
  locked: boolean,
  message: IncomingMessageFacts,
): NotificationContent | null {
  if (locked) return null;
  const name = clip(message.conversationName, MAX_TITLE) || APP_NAME;
  switch (privacy) {
    case 'name-and-message': {
      const body = message.body === undefined ? '' : clip(message.body, MAX_BODY);
      return { title: name, body: body.length > 0 ? body : 'New message', silent: false };
    }
    case 'name-only':
      return { title: name, body: 'New message', silent: false };
    case 'no-name-or-message':
      // No sender, no text, no sound: only the fact that the app wants attention.
      return { title: APP_NAME, body: '', silent: true };
  }
}

/** Which core messages raise an OS notification: incoming text, while the window is not focused. */
export function shouldNotify(
  message: { readonly direction: 'in' | 'out'; readonly kind: string },
  windowFocused: boolean,
): boolean {
  return message.direction === 'in' && message.kind === 'text' && !windowFocused;
}

/**
 * What an OS notification may say (no electron import). Notification text leaves the encrypted vault:
 * the OS keeps it in its notification database, shows it on the lock screen and in screen shares, so it
 * follows the user's notification-privacy setting, and nothing at all is shown while the vault is locked.
 *
 * The OS notification mirrors the core's new-message alert (the `toast` event of kind 'message'): the
 * core already gathered a round's messages into a few alerts and applied the privacy setting to their
 * text (src/api/core/incoming-alerts.ts), so a backlog raises a handful of notifications, not thousands.
 */
import { clipNotificationText } from '../src/settings/notification-text.js';
import type { EventPayload } from '../src/api/contract.js';
import type { NotificationPrivacy } from '../src/settings/schema.js';

/** A core alert: the `toast` event's payload. */
export type CoreAlert = Pick<EventPayload<'toast'>, 'kind' | 'title' | 'body'>;

export interface NotificationContent {
  readonly title: string;
  readonly body: string;
  readonly silent: boolean;
}

const APP_NAME = 'Carapace';
const LIMITS = { title: 64, body: 160 };

export function formatNotification(
  privacy: NotificationPrivacy,
  locked: boolean,
  alert: CoreAlert,
): NotificationContent | null {
  if (locked) return null;
  // At the strictest level: no sender, no text, no sound — only the fact that the app wants attention.
  if (privacy === 'no-name-or-message') return { title: APP_NAME, body: '', silent: true };
  return {
    title: clipNotificationText(alert.title, LIMITS.title) || APP_NAME,
    body: clipNotificationText(alert.body ?? '', LIMITS.body),
    silent: false,
  };
}

/** Which core alerts raise an OS notification: new messages, while the window is not focused. */
export function shouldNotify(alert: CoreAlert, windowFocused: boolean): boolean {
  return alert.kind === 'message' && !windowFocused;
}

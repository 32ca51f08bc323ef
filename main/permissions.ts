/**
 * Permission policy for the renderer session (no electron import). Everything is denied except
 * notifications, and only for our own app:// origin: no camera, microphone, geolocation, clipboard read,
 * MIDI, HID, serial, USB, display capture, fullscreen requests from content, or anything Chromium adds later.
 */
import { isAppUrl } from './app-origin.js';

export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['notifications']);

export interface PermissionQuery {
  /** Electron's permission name, e.g. `notifications`, `media`, `geolocation`. */
  readonly permission: string;
  /** The URL (or origin) asking: `details.requestingUrl` or the check handler's `requestingOrigin`. */
  readonly requestingUrl: string | undefined;
  /** Whether the request comes from the top-level frame (`details.isMainFrame`); iframes never get anything. */
  readonly isMainFrame?: boolean;
}

export function isPermissionAllowed(query: PermissionQuery): boolean {
  if (query.isMainFrame === false) return false;
  if (!ALLOWED_PERMISSIONS.has(query.permission)) return false;
  return isAppUrl(query.requestingUrl);
}

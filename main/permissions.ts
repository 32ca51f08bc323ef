/**
 * Permission policy for the renderer session (no electron import): one permission is granted, writing to
 * the clipboard (`clipboard-sanitized-write`: text and sanitized content, what "Copy" on the account screen
 * needs), and only to our own page (app://carapace) in the window's main frame. Everything else is denied,
 * to every origin and frame: reading the clipboard (a compromised renderer could lift what the user copied
 * elsewhere), notifications (main shows them with Electron's `Notification`; granting the web API would only
 * let a compromised renderer spoof system notifications), camera, microphone, geolocation, MIDI, HID,
 * serial, USB, display capture, fullscreen from content, and anything Chromium adds later.
 */
import { log } from '../src/log.js';
import { isAppUrl } from './app-origin.js';

const CLIPBOARD_WRITE = 'clipboard-sanitized-write';

/** What Electron tells about the frame that asks (its PermissionRequest / check details). */
interface FrameDetails {
  readonly requestingUrl?: string | undefined;
  readonly isMainFrame?: boolean | undefined;
}

/** For `session.setPermissionRequestHandler`. A denied request means renderer code asked: worth a log line. */
export function decidePermissionRequest(
  _contents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details?: FrameDetails,
): void {
  const granted =
    permission === CLIPBOARD_WRITE && details?.isMainFrame === true && isAppUrl(details.requestingUrl);
  if (!granted) log.warn('renderer.permission-denied', { permission });
  callback(granted);
}

/** For `session.setPermissionCheckHandler` (Chromium checks often, so no log). */
export function decidePermissionCheck(
  _contents: unknown,
  permission: string,
  requestingOrigin?: string,
  details?: FrameDetails,
): boolean {
  return permission === CLIPBOARD_WRITE && details?.isMainFrame === true && isAppUrl(requestingOrigin);
}

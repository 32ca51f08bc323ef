/**
 * Permission policy for the renderer session (no electron import): every permission is denied, to every
 * origin and frame. The renderer needs none: notifications are shown by main with Electron's
 * `Notification`, never with the web Notification API, so granting `notifications` would only let a
 * compromised renderer spoof system notifications. No camera, microphone, geolocation, clipboard read,
 * MIDI, HID, serial, USB, display capture, fullscreen from content, or anything Chromium adds later.
 */
import { log } from '../src/log.js';

/** For `session.setPermissionRequestHandler`. A request means renderer code asked: worth a log line. */
export function denyPermissionRequest(
  _contents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  _details?: unknown,
): void {
  log.warn('renderer.permission-denied', { permission });
  callback(false);
}

/** For `session.setPermissionCheckHandler` (Chromium checks often, so no log). */
export function denyPermissionCheck(_contents: unknown, _permission: string, _origin?: string): boolean {
  return false;
}

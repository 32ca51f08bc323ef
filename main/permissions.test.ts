import { afterEach, describe, expect, it } from 'vitest';
import { setLogSink, type LogFields } from '../src/log.js';
import { decidePermissionCheck, decidePermissionRequest } from './permissions.js';

// Chromium's permission names, plus ones it may add later (unknown names must be denied too).
const PERMISSIONS = [
  'notifications',
  'media',
  'geolocation',
  'clipboard-read',
  'clipboard-sanitized-write',
  'display-capture',
  'fullscreen',
  'midi',
  'midiSysex',
  'openExternal',
  'pointerLock',
  'hid',
  'serial',
  'usb',
  'idle-detection',
  'keyboardLock',
  'storage-access',
  'window-management',
  'speaker-selection',
  'unknown',
  'Notifications',
];
/** Everything but clipboard write, which our own page gets (tested on its own below). */
const OTHERS = PERMISSIONS.filter((p) => p !== 'clipboard-sanitized-write');
const REQUESTERS = ['app://carapace/index.html', 'app://carapace/', 'https://evil.example/', '', undefined];

describe('renderer permission policy', () => {
  afterEach(() => setLogSink(undefined));

  it('denies every other permission request, notifications and clipboard read included, even from our own top-level page', () => {
    const logged: [string, LogFields][] = [];
    setLogSink((_level, event, fields) => logged.push([event, fields]));
    for (const permission of OTHERS) {
      for (const requestingUrl of REQUESTERS) {
        for (const isMainFrame of [true, false]) {
          const answers: boolean[] = [];
          decidePermissionRequest(null, permission, (granted) => answers.push(granted), {
            requestingUrl,
            isMainFrame,
          });
          expect(answers, `${permission} ${String(requestingUrl)}`).toEqual([false]);
        }
      }
    }
    // Each request is logged by permission name only (never the requesting URL).
    expect(logged).toHaveLength(OTHERS.length * REQUESTERS.length * 2);
    expect(logged[0]).toEqual(['renderer.permission-denied', { permission: 'notifications' }]);
  });

  it("grants clipboard write (Copy) to our own page's main frame, asked or checked, and nothing else", () => {
    const granted = (
      requestingUrl: string | undefined,
      isMainFrame: boolean,
      permission = 'clipboard-sanitized-write',
    ) => {
      const answers: boolean[] = [];
      decidePermissionRequest(null, permission, (ok) => answers.push(ok), { requestingUrl, isMainFrame });
      return answers;
    };
    expect(granted('app://carapace/index.html', true)).toEqual([true]);
    expect(granted('app://carapace/', true)).toEqual([true]);
    expect(
      decidePermissionCheck(null, 'clipboard-sanitized-write', 'app://carapace', { isMainFrame: true }),
    ).toBe(true);
    // Not another origin, not a frame inside ours, not without details, not a look-alike, never reading.
    for (const url of [
      'https://evil.example/',
      'app://carapace.evil/',
      'app://user@carapace/',
      'file:///x',
      '',
    ]) {
      expect(granted(url, true), url).toEqual([false]);
    }
    expect(granted('app://carapace/index.html', false)).toEqual([false]);
    expect(granted('app://carapace/index.html', true, 'clipboard-read')).toEqual([false]);
    const noDetails: boolean[] = [];
    decidePermissionRequest(null, 'clipboard-sanitized-write', (ok) => noDetails.push(ok));
    expect(noDetails).toEqual([false]);
    expect(
      decidePermissionCheck(null, 'clipboard-sanitized-write', 'https://evil.example', { isMainFrame: true }),
    ).toBe(false);
    expect(
      decidePermissionCheck(null, 'clipboard-sanitized-write', 'app://carapace', { isMainFrame: false }),
    ).toBe(false);
    expect(decidePermissionCheck(null, 'clipboard-sanitized-write', 'app://carapace')).toBe(false);
    expect(decidePermissionCheck(null, 'clipboard-read', 'app://carapace', { isMainFrame: true })).toBe(
      false,
    );
  });

  it('answers every other permission check with "denied", even for our own main frame', () => {
    for (const permission of OTHERS) {
      for (const requestingOrigin of REQUESTERS) {
        for (const isMainFrame of [true, false]) {
          expect(decidePermissionCheck(null, permission, requestingOrigin, { isMainFrame }), permission).toBe(
            false,
          );
        }
        expect(decidePermissionCheck(null, permission, requestingOrigin), permission).toBe(false);
      }
    }
  });
});

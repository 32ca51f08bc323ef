import { afterEach, describe, expect, it } from 'vitest';
import { setLogSink, type LogFields } from '../src/log.js';
import { denyPermissionCheck, denyPermissionRequest } from './permissions.js';

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
const REQUESTERS = ['app://carapace/index.html', 'app://carapace/', 'https://evil.example/', '', undefined];

describe('renderer permission policy', () => {
  afterEach(() => setLogSink(undefined));

  it('denies every permission request, notifications included, even from our own top-level page', () => {
    const logged: [string, LogFields][] = [];
    setLogSink((_level, event, fields) => logged.push([event, fields]));
    for (const permission of PERMISSIONS) {
      for (const requestingUrl of REQUESTERS) {
        for (const isMainFrame of [true, false]) {
          const answers: boolean[] = [];
          denyPermissionRequest(null, permission, (granted) => answers.push(granted), {
            requestingUrl,
            isMainFrame,
          });
          expect(answers, `${permission} ${String(requestingUrl)}`).toEqual([false]);
        }
      }
    }
    // Each request is logged by permission name only (never the requesting URL).
    expect(logged).toHaveLength(PERMISSIONS.length * REQUESTERS.length * 2);
    expect(logged[0]).toEqual(['renderer.permission-denied', { permission: 'notifications' }]);
  });

  it('answers every permission check with "denied"', () => {
    for (const permission of PERMISSIONS) {
      for (const requestingOrigin of REQUESTERS) {
        expect(denyPermissionCheck(null, permission, requestingOrigin), permission).toBe(false);
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { isPermissionAllowed } from './permissions.js';

describe('isPermissionAllowed', () => {
  it('allows notifications for our app:// top-level page only', () => {
    expect(
      isPermissionAllowed({ permission: 'notifications', requestingUrl: 'app://carapace/index.html' }),
    ).toBe(true);
    expect(
      isPermissionAllowed({
        permission: 'notifications',
        requestingUrl: 'app://carapace/',
        isMainFrame: true,
      }),
    ).toBe(true);
  });

  it('denies notifications to other origins, iframes and unknown requesters', () => {
    for (const requestingUrl of [
      'https://evil.example/',
      'file:///tmp/x.html',
      'app://other/',
      '',
      undefined,
    ]) {
      expect(isPermissionAllowed({ permission: 'notifications', requestingUrl }), String(requestingUrl)).toBe(
        false,
      );
    }
    expect(
      isPermissionAllowed({
        permission: 'notifications',
        requestingUrl: 'app://carapace/',
        isMainFrame: false,
      }),
    ).toBe(false);
  });

  it('denies every other permission, even to our own page', () => {
    const others = [
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
    for (const permission of others) {
      expect(
        isPermissionAllowed({ permission, requestingUrl: 'app://carapace/index.html' }),
        permission,
      ).toBe(false);
    }
  });
});

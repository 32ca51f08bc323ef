import { describe, expect, it } from 'vitest';
import {
  buildWindowOptions,
  contentProtectionFor,
  contentProtectionSupported,
  platformCapabilities,
} from './window-options.js';

describe('buildWindowOptions', () => {
  it('always sandboxes, isolates and denies Node to the renderer', () => {
    for (const isPackaged of [true, false]) {
      const prefs = buildWindowOptions({
        isPackaged,
        preloadPath: '/app/dist/main/preload.cjs',
      }).webPreferences;
      expect(prefs).toMatchObject({
        preload: '/app/dist/main/preload.cjs',
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        spellcheck: false,
        navigateOnDragDrop: false,
      });
    }
  });

  it('has DevTools only in unpackaged (development) runs', () => {
    expect(buildWindowOptions({ isPackaged: true, preloadPath: '/p' }).webPreferences?.devTools).toBe(false);
    expect(buildWindowOptions({ isPackaged: false, preloadPath: '/p' }).webPreferences?.devTools).toBe(true);
  });
});

describe('content protection capability', () => {
  it('exists on macOS and Windows only', () => {
    expect(contentProtectionSupported('darwin')).toBe(true);
    expect(contentProtectionSupported('win32')).toBe(true);
    expect(contentProtectionSupported('linux')).toBe(false);
    expect(platformCapabilities('linux')).toEqual({ platform: 'linux', contentProtection: false });
  });
});

describe('contentProtectionFor', () => {
  it('follows the Screen security setting while unlocked and the default while locked', () => {
    expect(contentProtectionFor({ locked: false, screenSecurity: false, defaultScreenSecurity: true })).toBe(
      false,
    );
    expect(contentProtectionFor({ locked: false, screenSecurity: true, defaultScreenSecurity: true })).toBe(
      true,
    );
    expect(contentProtectionFor({ locked: true, screenSecurity: false, defaultScreenSecurity: true })).toBe(
      true,
    );
  });
});

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildWindowOptions,
  contentProtectionFor,
  contentProtectionSupported,
  platformCapabilities,
} from './window-options.js';

const where = { platform: 'linux', rendererDir: '/app/dist/renderer' } as const;

describe('buildWindowOptions', () => {
  it('always sandboxes, isolates and denies Node to the renderer', () => {
    for (const isPackaged of [true, false]) {
      const prefs = buildWindowOptions({
        isPackaged,
        preloadPath: '/app/dist/main/preload.cjs',
        ...where,
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
    expect(
      buildWindowOptions({ isPackaged: true, preloadPath: '/p', ...where }).webPreferences?.devTools,
    ).toBe(false);
    expect(
      buildWindowOptions({ isPackaged: false, preloadPath: '/p', ...where }).webPreferences?.devTools,
    ).toBe(true);
  });

  it('sets the window icon on Linux only (elsewhere the app bundle provides it)', () => {
    const options = (platform: NodeJS.Platform) =>
      buildWindowOptions({
        isPackaged: true,
        preloadPath: '/p',
        platform,
        rendererDir: '/app/dist/renderer',
      });
    expect(options('linux').icon).toBe(path.join('/app/dist/renderer', 'icon.png'));
    expect(options('darwin')).not.toHaveProperty('icon');
    expect(options('win32')).not.toHaveProperty('icon');
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

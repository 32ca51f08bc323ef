/**
 * The BrowserWindow's options and OS capabilities, as plain data (type-only electron import).
 */
import path from 'node:path';
import type { BrowserWindowConstructorOptions } from 'electron';

export interface WindowOptionsInput {
  readonly isPackaged: boolean;
  /** Absolute path of the bundled CommonJS preload (dist/main/preload.cjs). */
  readonly preloadPath: string;
  readonly platform: NodeJS.Platform;
  /** The built renderer (dist/renderer), which holds icon.png (scripts/generate-icons.ts). */
  readonly rendererDir: string;
}

/**
 * The window icon: needed on Linux only (macOS and Windows show the app bundle's icon.icns / icon.ico).
 * It is the renderer's favicon, because assets/ is a build resource that is not packaged into the app.
 */
function windowIcon(input: WindowOptionsInput): { icon?: string } {
  return input.platform === 'linux' ? { icon: path.join(input.rendererDir, 'icon.png') } : {};
}

export function buildWindowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 760,
    minWidth: 640,
    minHeight: 480,
    title: 'Carapace',
    // Shown once the first page has painted, so no blank white flash.
    show: false,
    backgroundColor: '#14161a',
    autoHideMenuBar: true,
    ...windowIcon(input),
    webPreferences: {
      preload: input.preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: !input.isPackaged,
      safeDialogs: true,
      disableDialogs: false,
      autoplayPolicy: 'user-gesture-required',
    },
  };
}

/**
 * `BrowserWindow.setContentProtection` only has an effect on macOS and Windows; on Linux no compositor
 * API exists, so the UI must say that screen security is not available there.
 */
export function contentProtectionSupported(platform: NodeJS.Platform): boolean {
  return platform === 'darwin' || platform === 'win32';
}

export interface PlatformCapabilities {
  readonly platform: NodeJS.Platform;
  readonly contentProtection: boolean;
}

export function platformCapabilities(platform: NodeJS.Platform): PlatformCapabilities {
  return { platform, contentProtection: contentProtectionSupported(platform) };
}

/**
 * Settings → window: content protection follows the Screen security setting while unlocked; while locked
 * (settings unreadable) it falls back to the default, which is on.
 */
export function contentProtectionFor(state: {
  readonly locked: boolean;
  readonly screenSecurity: boolean;
  readonly defaultScreenSecurity: boolean;
}): boolean {
  return state.locked ? state.defaultScreenSecurity : state.screenSecurity;
}

/**
 * The Electron main process: lifecycle, the one hardened window, the app:// protocol, session hardening,
 * the IPC adapter, and OS integration (lock on suspend/screen lock/idle, notifications, content
 * protection). Kept thin: every decision is a plain function in a sibling module with Node unit tests.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  BrowserWindow,
  Notification,
  View,
  app,
  dialog,
  ipcMain,
  powerMonitor,
  protocol,
  session,
  shell,
  type WebContents,
} from 'electron';
import {
  DEFAULT_SETTINGS,
  type EventPayload,
  type LockReason as CoreLockReason,
  settingsView,
  type SettingsView,
} from '../src/api/contract.js';
import { createCoreService, type CoreService } from '../src/api/service.js';
import { nativeFilePicker, nativeSavePicker } from './attachment-dialogs.js';
import type { ClientConfig } from '../src/net/config.js';
import { assertProductionConfig, selectClientConfig } from '../src/net/production-config.js';
import { errorFields, log } from '../src/log.js';
import { APP_ENTRY_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES } from './app-origin.js';
import { serveAppRequest } from './app-protocol.js';
import { registerIpc } from './ipc.js';
import { PROFILE_DIR_ENV, appPaths, resolveNetworkMode, resolveProfileDir } from './launch-config.js';
import { CORE_DUMP_RELAUNCH_ENV, coreDumpAction, launchWithoutCoreDumps } from './core-dumps.js';
import { createLockController, restartRenderer, type LockController, type LockReason } from './lock.js';
import {
  EXTERNAL_LINK_CONFIRM_BUTTON,
  decideNavigation,
  decideWindowOpen,
  externalLinkPrompt,
  RENDERER_DEAD_PROXY,
  isRequestAllowed,
  type NavigationDecision,
} from './navigation.js';
import { formatNotification, shouldNotify, type CoreAlert } from './notifications.js';
import { decidePermissionCheck, decidePermissionRequest } from './permissions.js';
import { buildWindowOptions, contentProtectionFor, contentProtectionSupported } from './window-options.js';

/** Before anything else: a packaged Linux build with core dumps on relaunches itself without them. */
function relaunchWithoutCoreDumps(): boolean {
  let procLimits: string | null = null;
  try {
    procLimits = process.platform === 'linux' ? readFileSync('/proc/self/limits', 'utf8') : null;
  } catch {
    // Unreadable: counted as enabled.
  }
  const action = coreDumpAction({
    platform: process.platform,
    isPackaged: app.isPackaged,
    procLimits,
    alreadyRelaunched: process.env[CORE_DUMP_RELAUNCH_ENV] === '1',
  });
  if (action === 'warn') log.warn('process.core-dumps-enabled');
  if (action !== 'relaunch') return false;
  process.env[CORE_DUMP_RELAUNCH_ENV] = '1';
  // An AppImage's files vanish when this process exits: relaunch the AppImage itself.
  const target = process.env.APPIMAGE ?? process.execPath;
  const launch = launchWithoutCoreDumps(process.platform, target, process.argv.slice(1));
  log.info('process.relaunch-without-core-dumps');
  app.relaunch({ execPath: launch.command, args: [...launch.args] });
  app.exit(0);
  return true;
}
const relaunching = relaunchWithoutCoreDumps();

// Must happen before `ready`: app:// behaves like https (standard, secure origin) so the CSP's 'self'
// and module scripts work, and every renderer is sandboxed even if a window forgot to ask.
// supportFetchAPI: vite's `<script type="module" crossorigin>` is a CORS-mode request, which Chromium
// only makes to schemes with fetch support; the page still cannot fetch() anything (`connect-src
// 'none'`), and without corsEnabled no other origin can read app:// (electron/electron#51152).
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.enableSandbox();

// Decided before `ready`, because Chromium's own data directory must be set before it starts: a
// development/E2E profile keeps Chromium's files next to it instead of in the user's real data dir.
const profileDir = resolveProfileDir({
  isPackaged: app.isPackaged,
  env: process.env,
  userDataDir: app.getPath('userData'),
});
if (!app.isPackaged && process.env[PROFILE_DIR_ENV]) app.setPath('userData', `${profileDir}.chromium`);

let mainWindow: BrowserWindow | undefined;
/** What the shell needs of the settings (lock policy, notifications, content protection): the UI's view. */
let settings: SettingsView = settingsView(DEFAULT_SETTINGS);

function ourWebContents(contents: WebContents): boolean {
  return mainWindow !== undefined && !mainWindow.isDestroyed() && contents === mainWindow.webContents;
}

/** https links: a warning dialog first (the browser bypasses Tor), then the OS browser. */
async function handleExternal(decision: NavigationDecision): Promise<void> {
  if (decision.action !== 'confirm-external') return;
  const prompt = externalLinkPrompt(decision.url);
  const options = { ...prompt, buttons: [...prompt.buttons] };
  const { response } =
    mainWindow && !mainWindow.isDestroyed()
      ? await dialog.showMessageBox(mainWindow, options)
      : await dialog.showMessageBox(options);
  if (response === EXTERNAL_LINK_CONFIRM_BUTTON) await shell.openExternal(decision.url);
}

// Every webContents ever created (the window, and anything that slips through) gets the same guards.
app.on('web-contents-created', (_event, contents) => {
  const guard = (event: { preventDefault(): void }, url: string): void => {
    const decision = decideNavigation(url);
    if (decision.action === 'allow') return;
    event.preventDefault();
    log.warn('nav.blocked', { action: decision.action });
    handleExternal(decision).catch((error: unknown) => log.error('nav.external-failed', errorFields(error)));
  };
  contents.on('will-navigate', guard);
  contents.on('will-frame-navigate', (event) => {
    if (decideNavigation(event.url).action !== 'allow') event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (decideNavigation(event.url).action !== 'allow') event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    handleExternal(decideWindowOpen(url)).catch((error: unknown) =>
      log.error('nav.external-failed', errorFields(error)),
    );
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

async function hardenSession(): Promise<void> {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler(decidePermissionRequest);
  ses.setPermissionCheckHandler(decidePermissionCheck);
  ses.setDevicePermissionHandler(() => false);
  ses.setDisplayMediaRequestHandler((_request, callback) => callback({}));
  // The renderer has no network: only app://, data: and our blob: URLs load.
  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isRequestAllowed(details.url);
    if (!allowed) log.warn('net.renderer-request-blocked', { resourceType: details.resourceType });
    callback({ cancel: !allowed });
  });
  ses.setSpellCheckerEnabled(false);
  // No dictionary downloads from Google's CDN (an unroutable URL, as Electron's docs suggest).
  ses.setSpellCheckerDictionaryDownloadURL('https://dictionaries.invalid/');
  await ses.setProxy({ ...RENDERER_DEAD_PROXY });
}

/**
 * Production (Signal's servers, built in) unless an unpackaged run asked for the demo network. A packaged
 * build never reaches the demo branch (resolveNetworkMode), and selectClientConfig ignores any supplied
 * config when packaged as a second line.
 */
async function loadNetworkConfig(): Promise<ClientConfig> {
  const resolution = resolveNetworkMode({ isPackaged: app.isPackaged, env: process.env, argv: process.argv });
  if (resolution.mode === 'production') {
    if (resolution.ignoredOverride) log.warn('config.override-ignored-in-packaged-build');
    const config = selectClientConfig({ packaged: app.isPackaged });
    assertProductionConfig(config);
    return config;
  }
  const supplied = JSON.parse(await readFile(resolution.demoConfigFile, 'utf8')) as unknown;
  return selectClientConfig({ packaged: app.isPackaged, supplied });
}

function applyContentProtection(): void {
  if (!mainWindow || mainWindow.isDestroyed()) return;
  mainWindow.setContentProtection(
    contentProtectionFor({
      locked: lock?.locked ?? true,
      screenSecurity: settings.screenSecurity,
      defaultScreenSecurity: DEFAULT_SETTINGS.screenSecurity,
    }),
  );
}

async function refreshSettings(service: CoreService): Promise<void> {
  const result = await service.call('settings.get', {});
  if (result.ok) settings = result.value;
  applyContentProtection();
}

function coreLockReason(reason: LockReason): CoreLockReason {
  return reason === 'idle' ? 'timer' : 'suspend';
}

function notifyIncoming(alert: CoreAlert): void {
  if (!Notification.isSupported() || !mainWindow || mainWindow.isDestroyed()) return;
  const content = formatNotification(settings.notificationPrivacy, lock?.locked ?? true, alert);
  if (content === null) return;
  const notification = new Notification(content);
  notification.on('click', () => {
    mainWindow?.show();
    mainWindow?.focus();
  });
  notification.show();
}

let lock: LockController | undefined;

interface ShellWindow {
  readonly window: BrowserWindow;
  readonly cover: { set(covered: boolean): void };
}

function createCover(window: BrowserWindow): { set(covered: boolean): void } {
  const cover = new View();
  cover.setBackgroundColor('#14161a');
  let shown = false;
  const fit = (): void => {
    const { width, height } = window.getContentBounds();
    cover.setBounds({ x: 0, y: 0, width, height });
  };
  window.on('resize', fit);
  return {
    set(covered) {
      if (covered === shown || window.isDestroyed()) return;
      shown = covered;
      if (covered) {
        fit();
        window.contentView.addChildView(cover);
      } else {
        window.contentView.removeChildView(cover);
      }
    },
  };
}

async function start(): Promise<void> {
  const paths = appPaths(app.getAppPath());
  await hardenSession();
  protocol.handle(APP_SCHEME, async (request) => {
    const response = await serveAppRequest({ url: request.url, method: request.method }, paths.rendererDir);
    return new Response(response.body, { status: response.status, headers: response.headers });
  });

  const networkConfig = await loadNetworkConfig();
  const service = createCoreService({
    profileDir,
    networkConfig,
    platform: {
      name: process.platform,
      screenSecuritySupported: contentProtectionSupported(process.platform),
    },
    version: app.getVersion(),
    pickFiles: nativeFilePicker(dialog, () => mainWindow),
    chooseSavePath: nativeSavePicker(dialog, () => mainWindow),
  });

  const openWindow = (): ShellWindow => {
    const window = new BrowserWindow(
      buildWindowOptions({
        isPackaged: app.isPackaged,
        preloadPath: paths.preloadPath,
        platform: process.platform,
        rendererDir: paths.rendererDir,
      }),
    );
    mainWindow = window;
    window.once('ready-to-show', () => window.show());
    applyContentProtection();
    return { window, cover: createCover(window) };
  };
  let current = openWindow();

  // Subscribed before the lock controller's listener, so the renderer hears `vault.locked` before its reload.
  const disposeIpc = registerIpc(ipcMain, {
    service,
    isOurWebContents: ourWebContents,
    eventTarget: () => (current.window.isDestroyed() ? undefined : current.window.webContents),
  });

  const controller = createLockController(
    {
      setContentCovered: (covered) => current.cover.set(covered),
      notifyRendererLocked: () => {
        // Already done: the IPC adapter forwarded `vault.locked` (it subscribed first).
      },
      clearSessionData: async () => {
        await current.window.webContents.session.clearCache();
        await current.window.webContents.session.clearStorageData();
      },
      reloadRenderer: async () => {
        // A new renderer process, not just a reload: the old heap (strings JS cannot wipe) goes with it.
        const { webContents } = current.window;
        await restartRenderer({
          crash: () => webContents.forcefullyCrashRenderer(),
          onGone: (listener) => {
            webContents.once('render-process-gone', listener);
            return () => webContents.off('render-process-gone', listener);
          },
          load: () => webContents.loadURL(APP_ENTRY_URL),
          replace: async () => {
            // The new window exists first (closing the last one would quit the app), covered until the lock
            // sequence ends; the old one (and its renderer) goes before the page loads, so Chromium cannot
            // place the new page in the old process.
            const old = current;
            current = openWindow();
            current.cover.set(true);
            old.window.destroy();
            await current.window.loadURL(APP_ENTRY_URL);
          },
        });
      },
      lockCore: async (reason) => {
        await service.call('vault.lock', { reason: coreLockReason(reason) });
      },
    },
    {
      getPolicy: () => settings,
      getSystemIdleSeconds: () => powerMonitor.getSystemIdleTime(),
      initiallyLocked: true,
    },
  );
  lock = controller;
  controller.start();

  service.onEvent((event, payload) => {
    if (event === 'vault.locked') {
      // The lock sequence starts first (it marks the shell locked and covers the window at once).
      const sequence = controller.onCoreLocked();
      settings = settingsView(DEFAULT_SETTINGS);
      applyContentProtection();
      sequence.catch((error: unknown) => log.error('lock.sequence-failed', errorFields(error)));
    } else if (event === 'vault.unlocked') {
      controller.onCoreUnlocked();
      refreshSettings(service).catch((error: unknown) =>
        log.error('settings.refresh-failed', errorFields(error)),
      );
    } else if (event === 'settings.changed') {
      settings = (payload as EventPayload<'settings.changed'>).settings;
      applyContentProtection();
    } else if (event === 'toast') {
      const alert = payload as EventPayload<'toast'>;
      if (shouldNotify(alert, current.window.isFocused())) notifyIncoming(alert);
    }
  });

  powerMonitor.on('suspend', () => void controller.onPowerEvent('suspend'));
  powerMonitor.on('lock-screen', () => void controller.onPowerEvent('lock-screen'));

  let closing = false;
  app.on('before-quit', (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    controller.dispose();
    disposeIpc();
    service
      .close()
      .catch((error: unknown) => log.error('core.close-failed', errorFields(error)))
      .finally(() => app.quit());
  });

  await current.window.loadURL(APP_ENTRY_URL);
}

if (relaunching) {
  // app.exit is under way; this instance starts nothing.
} else if (!app.requestSingleInstanceLock()) {
  // A second instance on the same profile would open the vault twice.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow && !mainWindow.isDestroyed()) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  app.on('window-all-closed', () => app.quit());
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      log.error('app.start-failed', errorFields(error));
      app.exit(1);
    });
}

/**
 * The electron-importing glue (main/index.ts, main/ipc.ts) run in plain Node against a recording stand-in
 * for the `electron` module (there is no Electron binary here) and the REAL core service on a temp
 * profile: protocol, session hardening, navigation hooks, IPC sender checks, and the lock sequence
 * driven by a real vault lock.
 */
import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { COMMAND_NAMES } from '../src/api/contract.js';
import { CONTENT_SECURITY_POLICY } from './csp.js';

type Listener = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  /** A minimal event emitter (vi.hoisted runs before imports, so node:events is not available yet). */
  class Emitter {
    private readonly listeners = new Map<string, ((...args: unknown[]) => unknown)[]>();
    on(name: string, fn: (...args: unknown[]) => unknown): this {
      this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
      return this;
    }
    once(name: string, fn: (...args: unknown[]) => unknown): this {
      const wrapper = (...args: unknown[]): unknown => {
        this.listeners.set(
          name,
          (this.listeners.get(name) ?? []).filter((l) => l !== wrapper),
        );
        return fn(...args);
      };
      return this.on(name, wrapper);
    }
    off(name: string, fn: (...args: unknown[]) => unknown): this {
      this.listeners.set(
        name,
        (this.listeners.get(name) ?? []).filter((l) => l !== fn),
      );
      return this;
    }
    emit(name: string, ...args: unknown[]): boolean {
      const list = this.listeners.get(name) ?? [];
      for (const fn of list) fn(...args);
      return list.length > 0;
    }
  }
  const calls: string[] = [];
  const state = {
    appRoot: '',
    userData: '',
    calls,
    privileged: [] as unknown[],
    protocolHandlers: new Map<string, (request: { url: string; method: string }) => Promise<Response>>(),
    ipcHandlers: new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>(),
    permissionRequest: undefined as undefined | Listener,
    permissionCheck: undefined as undefined | Listener,
    beforeRequest: undefined as undefined | Listener,
    windows: [] as unknown[],
    dialogResponse: 0,
    opened: [] as string[],
    sandboxEnabled: false,
    proxy: undefined as unknown,
    /** Whether a crashed renderer reports `render-process-gone` (a real one does, a little later). */
    reportsGone: true,
    relaunched: [] as unknown[],
  };
  class FakeWebContents extends Emitter {
    sent: { channel: string; payload: unknown }[] = [];
    loads: string[] = [];
    windowOpenHandler: undefined | ((details: { url: string }) => { action: string });
    session = {
      clearCache: () => {
        calls.push('session.clearCache');
        return Promise.resolve();
      },
      clearStorageData: () => {
        calls.push('session.clearStorageData');
        return Promise.resolve();
      },
    };
    send(channel: string, payload: unknown) {
      calls.push(`send ${channel}`);
      this.sent.push({ channel, payload });
    }
    isDestroyed() {
      return false;
    }
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      this.windowOpenHandler = handler;
    }
    forcefullyCrashRenderer() {
      calls.push('crashRenderer');
      if (!state.reportsGone) return;
      setTimeout(() => {
        calls.push('render-process-gone');
        this.emit('render-process-gone', {}, { reason: 'killed', exitCode: 9 });
      }, 20);
    }
    loadURL(url: string) {
      calls.push(`loadURL ${url}`);
      this.loads.push(url);
      return Promise.resolve();
    }
  }
  class FakeBrowserWindow extends Emitter {
    webContents = new FakeWebContents();
    destroyed = false;
    contentProtection: boolean[] = [];
    contentView = {
      addChildView: () => calls.push('cover'),
      removeChildView: () => calls.push('uncover'),
    };
    constructor(readonly options: unknown) {
      super();
      state.windows.push(this);
    }
    loadURL(url: string) {
      return this.webContents.loadURL(url);
    }
    setContentProtection(value: boolean) {
      this.contentProtection.push(value);
    }
    getContentBounds() {
      return { x: 0, y: 0, width: 800, height: 600 };
    }
    isDestroyed() {
      return this.destroyed;
    }
    destroy() {
      calls.push('destroyWindow');
      this.destroyed = true;
    }
    isFocused() {
      return false;
    }
    isMinimized() {
      return false;
    }
    show() {}
    focus() {}
    restore() {}
  }
  const app = Object.assign(new Emitter(), {
    isPackaged: false,
    getAppPath: () => state.appRoot,
    getPath: () => state.userData,
    setPath: (_name: string, value: string) => {
      state.userData = value;
    },
    getVersion: () => '0.1.0',
    enableSandbox: () => {
      state.sandboxEnabled = true;
    },
    requestSingleInstanceLock: () => true,
    whenReady: () => Promise.resolve(),
    quit: () => undefined,
    exit: () => undefined,
    relaunch: (options: unknown) => state.relaunched.push(options),
  });
  const electron = {
    app,
    BrowserWindow: FakeBrowserWindow,
    Notification: class {
      static isSupported() {
        return true;
      }
      on() {}
      show() {}
    },
    View: class {
      setBackgroundColor() {}
      setBounds() {}
    },
    dialog: {
      showMessageBox: () => {
        calls.push('dialog');
        return Promise.resolve({ response: state.dialogResponse });
      },
    },
    shell: {
      openExternal: (url: string) => {
        state.opened.push(url);
        return Promise.resolve();
      },
    },
    ipcMain: {
      handle: (channel: string, fn: (event: unknown, ...args: unknown[]) => Promise<unknown>) =>
        state.ipcHandlers.set(channel, fn),
      removeHandler: (channel: string) => state.ipcHandlers.delete(channel),
    },
    powerMonitor: Object.assign(new Emitter(), { getSystemIdleTime: () => 0 }),
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => state.privileged.push(...schemes),
      handle: (scheme: string, fn: (request: { url: string; method: string }) => Promise<Response>) =>
        state.protocolHandlers.set(scheme, fn),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Listener) => (state.permissionRequest = fn),
        setPermissionCheckHandler: (fn: Listener) => (state.permissionCheck = fn),
        setDevicePermissionHandler: () => undefined,
        setDisplayMediaRequestHandler: () => undefined,
        setSpellCheckerEnabled: (on: boolean) => calls.push(`spellchecker ${on}`),
        setSpellCheckerDictionaryDownloadURL: () => undefined,
        setProxy: (config: unknown) => {
          state.proxy = config;
          return Promise.resolve();
        },
        webRequest: { onBeforeRequest: (fn: Listener) => (state.beforeRequest = fn) },
      },
    },
  };
  return { state, electron };
});

vi.mock('electron', () => fake.electron);

interface FakeWindow {
  options: { webPreferences: Record<string, unknown> };
  webContents: EventEmitter & {
    sent: { channel: string; payload: unknown }[];
    loads: string[];
    windowOpenHandler?: (details: { url: string }) => { action: string };
  };
  contentProtection: boolean[];
}

let work: string;
let window: FakeWindow;
const ourFrame = { url: 'app://carapace/index.html', parent: null };

async function invoke(command: string, input: unknown, frame: unknown = ourFrame): Promise<unknown> {
  const handler = fake.state.ipcHandlers.get(`carapace:cmd:${command}`);
  if (!handler) throw new Error(`no handler for ${command}`);
  return handler({ sender: window.webContents, senderFrame: frame }, input);
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'carapace-glue-'));
  fake.state.appRoot = path.join(work, 'app');
  fake.state.userData = path.join(work, 'userData');
  await mkdir(path.join(fake.state.appRoot, 'dist', 'renderer'), { recursive: true });
  await writeFile(
    path.join(fake.state.appRoot, 'dist', 'renderer', 'index.html'),
    '<!doctype html><p>ok</p>',
  );
  process.env.CARAPACE_PROFILE_DIR = path.join(work, 'profile');
  delete process.env.CARAPACE_NETWORK;
  delete process.env.CARAPACE_DEMO_CONFIG;
  await import('./index.js');
  await vi.waitFor(() => expect(fake.state.calls).toContain('loadURL app://carapace/index.html'));
  window = fake.state.windows[0] as FakeWindow;
});

afterAll(async () => {
  fake.electron.app.emit('before-quit', { preventDefault: () => undefined });
  delete process.env.CARAPACE_PROFILE_DIR;
  await rm(work, { recursive: true, force: true });
});

describe('main/index.ts glue', () => {
  it('registers app:// as a privileged standard+secure scheme, sandboxes every renderer, keeps Chromium data beside the test profile', () => {
    expect(fake.state.privileged).toEqual([
      {
        scheme: 'app',
        privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
      },
    ]);
    expect(fake.state.sandboxEnabled).toBe(true);
    expect(fake.state.userData).toBe(`${path.join(work, 'profile')}.chromium`);
  });

  it('creates one hardened window with the bundled preload, loads app://carapace/, content protection on while locked', () => {
    expect(fake.state.windows).toHaveLength(1);
    expect(window.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      preload: path.join(fake.state.appRoot, 'dist', 'main', 'preload.cjs'),
    });
    expect(window.contentProtection[0]).toBe(true);
  });

  it('serves the renderer over app:// with the CSP, and refuses traversal', async () => {
    const handler = fake.state.protocolHandlers.get('app');
    expect(handler).toBeDefined();
    const ok = await handler!({ url: 'app://carapace/index.html', method: 'GET' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await ok.text()).toContain('<p>ok</p>');
    const bad = await handler!({ url: 'app://carapace/%2e%2e/%2e%2e/package.json', method: 'GET' });
    expect(bad.status).toBe(404);
  });

  it('hardens the session: permissions, network block, spellchecker off', () => {
    const results: boolean[] = [];
    fake.state.permissionRequest!(null, 'media', (allowed: boolean) => results.push(allowed), {
      requestingUrl: 'app://carapace/index.html',
      isMainFrame: true,
    });
    fake.state.permissionRequest!(null, 'notifications', (allowed: boolean) => results.push(allowed), {
      requestingUrl: 'app://carapace/index.html',
      isMainFrame: true,
    });
    fake.state.permissionRequest!(
      null,
      'clipboard-sanitized-write',
      (allowed: boolean) => results.push(allowed),
      {
        requestingUrl: 'app://carapace/index.html',
        isMainFrame: true,
      },
    );
    // Notifications too: main shows them, the renderer needs none. Only Copy (clipboard write) is ours.
    expect(results).toEqual([false, false, true]);
    expect(fake.state.permissionCheck!(null, 'geolocation', 'app://carapace', { isMainFrame: true })).toBe(
      false,
    );
    expect(fake.state.permissionCheck!(null, 'notifications', 'app://carapace', { isMainFrame: true })).toBe(
      false,
    );
    const decisions: unknown[] = [];
    fake.state.beforeRequest!({ url: 'https://example.org/x.png', resourceType: 'image' }, (r: unknown) =>
      decisions.push(r),
    );
    fake.state.beforeRequest!({ url: 'app://carapace/a.js', resourceType: 'script' }, (r: unknown) =>
      decisions.push(r),
    );
    expect(decisions).toEqual([{ cancel: true }, { cancel: false }]);
    expect(fake.state.calls).toContain('spellchecker false');
    expect(fake.state.proxy).toEqual({
      mode: 'fixed_servers',
      proxyRules: 'socks5://127.0.0.1:9',
      proxyBypassRules: '<-loopback>',
    });
  });

  it('guards every webContents: navigation, window.open (https after confirmation), webviews', async () => {
    const contents = new EventEmitter() as EventEmitter & {
      setWindowOpenHandler: (fn: (details: { url: string }) => { action: string }) => void;
      openHandler?: (details: { url: string }) => { action: string };
    };
    contents.setWindowOpenHandler = (fn) => (contents.openHandler = fn);
    fake.electron.app.emit('web-contents-created', {}, contents);
    const prevented: string[] = [];
    const event = (name: string) => ({ preventDefault: () => prevented.push(name) });
    contents.emit('will-navigate', event('app'), 'app://carapace/index.html');
    contents.emit('will-navigate', event('file'), 'file:///etc/passwd');
    contents.emit('will-attach-webview', event('webview'));
    expect(prevented).toEqual(['file', 'webview']);

    fake.state.dialogResponse = 0; // Cancel
    expect(contents.openHandler!({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
    await vi.waitFor(() => expect(fake.state.calls.filter((c) => c === 'dialog')).toHaveLength(1));
    expect(fake.state.opened).toEqual([]);
    fake.state.dialogResponse = 1; // Open in browser
    contents.emit('will-navigate', event('https'), 'https://example.org/page');
    await vi.waitFor(() => expect(fake.state.opened).toEqual(['https://example.org/page']));
    expect(prevented).toContain('https');
    expect(contents.openHandler!({ url: 'http://example.org/' })).toEqual({ action: 'deny' });
  });

  it('registers one IPC handler per contract command and checks the sender', async () => {
    expect([...fake.state.ipcHandlers.keys()].sort()).toEqual(
      COMMAND_NAMES.map((n) => `carapace:cmd:${n}`).sort(),
    );
    expect(await invoke('app.info', {})).toMatchObject({
      ok: true,
      value: { networkMode: 'production', screenSecuritySupported: process.platform !== 'linux' },
    });
    expect(await invoke('vault.status', {})).toMatchObject({ ok: true, value: { state: 'uninitialized' } });
    for (const frame of [
      { url: 'https://evil.example/', parent: null },
      { url: 'app://carapace/index.html', parent: { url: 'app://carapace/index.html' } },
      null,
    ]) {
      expect(await invoke('vault.status', {}, frame)).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN_SENDER' },
      });
    }
    expect(await invoke('vault.create', { passphrase: 'short' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
  });

  it('runs the lock sequence when the real vault locks: event, cover, clear session, new renderer, uncover', async () => {
    expect(await invoke('vault.create', { passphrase: 'a long enough test passphrase' })).toEqual({
      ok: true,
      value: {},
    });
    expect(await invoke('vault.status', {})).toMatchObject({ ok: true, value: { state: 'unlocked' } });
    fake.state.calls.length = 0;
    expect(await invoke('vault.lock', { reason: 'user' })).toEqual({ ok: true, value: {} });
    await vi.waitFor(() => expect(fake.state.calls).toContain('uncover'));
    const sequence = fake.state.calls.filter((call) =>
      /^(send carapace:evt:vault\.locked|cover|session\.|crashRenderer|render-process-gone|loadURL|uncover)/.test(
        call,
      ),
    );
    expect(sequence).toEqual([
      'send carapace:evt:vault.locked',
      'cover',
      'session.clearCache',
      'session.clearStorageData',
      'crashRenderer',
      'render-process-gone',
      'loadURL app://carapace/index.html',
      'uncover',
    ]);
    expect(window.webContents.sent.find((s) => s.channel === 'carapace:evt:vault.locked')?.payload).toEqual({
      reason: 'user',
    });
    expect(await invoke('conversations.list', {})).toMatchObject({
      ok: false,
      error: { code: 'VAULT_LOCKED' },
    });
    expect(window.contentProtection.at(-1)).toBe(true);
  });

  it('replaces the window when the crashed renderer never reports it is gone (no page of the old process)', async () => {
    expect(await invoke('vault.unlock', { passphrase: 'a long enough test passphrase' })).toEqual({
      ok: true,
      value: {},
    });
    fake.state.reportsGone = false;
    fake.state.calls.length = 0;
    const old = window;
    expect(await invoke('vault.lock', { reason: 'user' })).toEqual({ ok: true, value: {} });
    await vi.waitFor(() => expect(fake.state.calls).toContain('uncover'), { timeout: 10_000 });
    const sequence = fake.state.calls.filter((call) =>
      /^(crashRenderer|loadURL|destroyWindow|uncover)/.test(call),
    );
    // The old webContents never loads again; a new window (its own renderer) loads the lock screen.
    expect(sequence).toEqual([
      'crashRenderer',
      'destroyWindow',
      'loadURL app://carapace/index.html',
      'uncover',
    ]);
    expect(fake.state.windows).toHaveLength(2);
    window = fake.state.windows[1] as FakeWindow;
    expect((old as unknown as { destroyed: boolean }).destroyed).toBe(true);
    expect(old.webContents.loads).toHaveLength(2); // start and the first lock; never after this crash
    expect(window.webContents.loads).toEqual(['app://carapace/index.html']);
    expect(window.contentProtection.at(-1)).toBe(true);
    // IPC now answers the new window only, and events go to it.
    expect(await invoke('vault.status', {})).toMatchObject({ ok: true, value: { state: 'locked' } });
    fake.state.reportsGone = true;
  });

  it('does not relaunch an unpackaged run (npm start limits core dumps; Playwright must keep its app)', () => {
    expect(fake.state.relaunched).toEqual([]);
  });
});

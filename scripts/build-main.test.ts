import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../src/api/contract.js';
import { buildMain, type BuildMainResult } from './build-main.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let outDir: string;
let result: BuildMainResult;

beforeAll(async () => {
  outDir = await mkdtemp(path.join(tmpdir(), 'carapace-build-main-'));
  result = await buildMain({ root, outDir });
});
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('buildMain', () => {
  it('bundles the preload into one CommonJS file that requires nothing but electron (sandbox-compatible)', async () => {
    expect(result.preloadExternals).toEqual(['electron']);
    const source = await readFile(result.preloadFile, 'utf8');
    expect(source.startsWith('"use strict"')).toBe(true);
    const requires = [...source.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]);
    expect(new Set(requires)).toEqual(new Set(['electron']));
    expect(source).toContain('exposeInMainWorld');
    expect(source).toContain('carapace:cmd:');
  });

  it('bundles main as ESM whose run-time imports are all builtins, electron or production dependencies', async () => {
    const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
    const packageName = (specifier: string): string =>
      specifier.startsWith('@')
        ? specifier.split('/').slice(0, 2).join('/')
        : (specifier.split('/')[0] ?? '');
    for (const specifier of result.mainExternals) {
      const ok =
        builtins.has(specifier) || specifier === 'electron' || packageName(specifier) in pkg.dependencies;
      expect(ok, `${specifier} must be a production dependency to work in the packaged app`).toBe(true);
    }
    expect(result.mainExternals).toContain('electron');
    expect(result.mainFile).toBe(path.join(outDir, 'main', 'index.js'));
    expect(await readFile(result.mainFile, 'utf8')).toMatch(/^import /m);
  });

  it('never bundles the E2E harness, tests or renderer code into the app', () => {
    expect(result.inputs.length).toBeGreaterThan(5);
    for (const input of result.inputs) {
      expect(input.startsWith('e2e/'), input).toBe(false);
      expect(input.startsWith('renderer/'), input).toBe(false);
      expect(input.includes('.test.'), input).toBe(false);
      expect(input.includes('test-support'), input).toBe(false);
    }
  });
});

describe('the bundled preload, run as a sandboxed preload would run it', () => {
  it('exposes only window.carapace: one method per command, on() that hides the IpcRendererEvent', async () => {
    const source = await readFile(result.preloadFile, 'utf8');
    const exposed = new Map<string, unknown>();
    const invoked: { channel: string; args: unknown[] }[] = [];
    const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
      ipcRenderer: {
        invoke: (channel: string, ...args: unknown[]) => {
          invoked.push({ channel, args });
          return Promise.resolve({ ok: true, value: { echoed: channel } });
        },
        on: (channel: string, fn: (...args: unknown[]) => void) => {
          if (!listeners.has(channel)) listeners.set(channel, new Set());
          listeners.get(channel)?.add(fn);
        },
        removeListener: (channel: string, fn: (...args: unknown[]) => void) =>
          listeners.get(channel)?.delete(fn),
      },
    };
    const requireInSandbox = (name: string): unknown => {
      if (name === 'electron') return electron;
      throw new Error(`a sandboxed preload cannot require ${name}`);
    };
    const context = vm.createContext({ require: requireInSandbox, module: { exports: {} }, exports: {} });
    vm.runInContext(source, context);

    expect([...exposed.keys()]).toEqual(['carapace']);
    const api = exposed.get('carapace') as Record<
      string,
      Record<string, (input?: unknown) => Promise<unknown>>
    > & {
      on: (event: string, handler: (payload: unknown) => void) => () => void;
    };
    const methods = Object.entries(api)
      .filter(([key]) => key !== 'on')
      .flatMap(([ns, group]) => Object.keys(group).map((method) => `${ns}.${method}`));
    expect(methods.sort()).toEqual([...COMMAND_NAMES].sort());
    expect(Object.keys(api)).not.toContain('invoke');

    expect(await api.vault!.unlock!({ passphrase: 'pass phrase' })).toEqual({
      ok: true,
      value: { echoed: 'carapace:cmd:vault.unlock' },
    });
    await api.conversations!.list!();
    expect(invoked).toEqual([
      { channel: 'carapace:cmd:vault.unlock', args: [{ passphrase: 'pass phrase' }] },
      { channel: 'carapace:cmd:conversations.list', args: [{}] },
    ]);

    const received: unknown[][] = [];
    const unsubscribe = api.on('vault.locked', (...args: unknown[]) => received.push(args));
    const fakeEvent = { sender: electron.ipcRenderer, senderId: 0 };
    for (const fn of listeners.get('carapace:evt:vault.locked') ?? []) fn(fakeEvent, { reason: 'timer' });
    expect(received).toEqual([[{ reason: 'timer' }]]);
    unsubscribe();
    expect(listeners.get('carapace:evt:vault.locked')?.size).toBe(0);
    expect(() => api.on('ipc.raw', () => undefined)).toThrow();
  });
});

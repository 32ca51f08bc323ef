import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

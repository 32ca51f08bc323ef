/**
 * The production renderer build (what Electron loads from dist/renderer) contains no web-harness client:
 * no WebSocket, no loopback `ws://…/api` endpoint. The harness build (dist/harness) does. Runs the real
 * vite builds (renderer/vite.config.ts) into a temporary directory.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const configFile = fileURLToPath(new URL('../renderer/vite.config.ts', import.meta.url));
/** Strings that exist only in renderer/harness-client.ts. */
const HARNESS_MARKERS = ['new WebSocket(', 'harness connection failed', 'ws://', '/api'];

let workDir = '';

async function buildInto(mode: 'production' | 'harness'): Promise<Map<string, string>> {
  const outDir = path.join(workDir, mode);
  await build({ configFile, mode, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
  const files = new Map<string, string>();
  for (const entry of await readdir(outDir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && /\.(js|html)$/.test(entry.name)) {
      const full = path.join(entry.parentPath, entry.name);
      files.set(path.relative(outDir, full), await readFile(full, 'utf8'));
    }
  }
  return files;
}

const found = (files: Map<string, string>, marker: string): string[] =>
  [...files].filter(([, text]) => text.includes(marker)).map(([name]) => name);

describe('renderer builds', () => {
  let app = new Map<string, string>();
  let harness = new Map<string, string>();

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'carapace-renderer-build-'));
    app = await buildInto('production');
    harness = await buildInto('harness');
  }, 120_000);
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('the Electron bundle has no harness client code', () => {
    expect(app.has('index.html')).toBe(true);
    for (const marker of HARNESS_MARKERS) expect(found(app, marker), marker).toEqual([]);
  });

  it('the harness bundle has it (so the markers above are meaningful)', () => {
    expect(harness.has('index.html')).toBe(true);
    for (const marker of HARNESS_MARKERS) expect(found(harness, marker), marker).not.toEqual([]);
  });

  it('the entry chunk does not carry the passphrase dictionaries (loaded lazily)', () => {
    const entry = /<script[^>]*\bsrc="\.\/([^"]+)"/.exec(app.get('index.html') ?? '')?.[1] ?? '';
    expect(app.get(entry)?.length ?? 0).toBeGreaterThan(0);
    // The app itself is ~0.4 MB; zxcvbn's dictionaries add ~1.6 MB in their own chunks.
    expect(app.get(entry)?.length).toBeLessThan(800_000);
    expect([...app.values()].reduce((n, text) => n + text.length, 0)).toBeGreaterThan(1_500_000);
  });

  it('no page has an inline script (script-src self)', () => {
    for (const files of [app, harness]) {
      const html = files.get('index.html') ?? '';
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    }
  });
});

/** The Playwright electron project's skip path (e2e/electron-app.ts lives outside vitest's include). */
import { chmod, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { electronAvailable, launchElectronApp } from '../e2e/electron-app.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'carapace-electron-app-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('electronAvailable', () => {
  it('gives a clear reason when no Electron binary exists', () => {
    const result = electronAvailable({ ELECTRON_OVERRIDE_DIST_PATH: path.join(work, 'none') });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^no Electron binary — /);
  });

  it('with a binary present, only a missing renderer build could still stop it', async () => {
    const dist = path.join(work, 'dist');
    await mkdir(dist);
    await writeFile(path.join(dist, 'electron'), '#!/bin/sh\nexit 0\n');
    await chmod(path.join(dist, 'electron'), 0o755);
    const result = electronAvailable({ ELECTRON_OVERRIDE_DIST_PATH: dist });
    // The binary is found; the answer depends only on whether dist/renderer was built.
    expect(result.ok ? 'ok' : result.reason).toMatch(/^(ok|the renderer is not built)/);
  });

  it('launchElectronApp refuses to start without a binary, with the reason', async () => {
    const saved = process.env.ELECTRON_OVERRIDE_DIST_PATH;
    process.env.ELECTRON_OVERRIDE_DIST_PATH = path.join(work, 'none');
    try {
      await expect(launchElectronApp({ profileDir: path.join(work, 'profile') })).rejects.toThrow(
        /Electron is not available/,
      );
    } finally {
      if (saved === undefined) delete process.env.ELECTRON_OVERRIDE_DIST_PATH;
      else process.env.ELECTRON_OVERRIDE_DIST_PATH = saved;
    }
  });
});

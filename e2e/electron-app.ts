/**
 * Launches the real Carapace app for the Playwright `electron` project via `_electron.launch`.
 *
 * It always runs the UNPACKAGED app (`electron <repo>` → package.json main → dist/main/main/index.js):
 * the release build flips the EnableNodeCliInspectArguments fuse off, and Playwright needs it to attach
 * ("Known issues" in https://playwright.dev/docs/api/class-electron). Where no Electron binary exists (as
 * on the build machine) `electronAvailable()` says why, and the fixture skips every test with that reason.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication, type Page } from '@playwright/test';
import type { ClientConfig } from '../src/net/config.js';
import { buildMain } from '../scripts/build-main.js';
import { findElectronBinary } from '../scripts/electron-binary.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type ElectronAvailability = { ok: true } | { ok: false; reason: string };

/** Whether `_electron.launch` can work here, without downloading anything or loading `electron`. */
export function electronAvailable(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ElectronAvailability {
  const binary = findElectronBinary(env);
  if (!binary.ok) return { ok: false, reason: `no Electron binary — ${binary.reason}` };
  if (!existsSync(path.join(root, 'dist', 'renderer', 'index.html'))) {
    return { ok: false, reason: 'the renderer is not built (npm run build:renderer)' };
  }
  return { ok: true };
}

export interface LaunchOptions {
  /** Fresh per-test profile (vault) directory, absolute. */
  readonly profileDir: string;
  /** The demo network's config; without it the app starts offline (production mode, no network configured). */
  readonly demoConfig?: ClientConfig;
  readonly env?: Readonly<Record<string, string>>;
  /** Launch timeout; default 30 s. */
  readonly timeoutMs?: number;
}

export interface LaunchedApp {
  readonly app: ElectronApplication;
  /** The main window, loaded from app://carapace/. */
  readonly page: Page;
  /** Closes the app (bounded) and removes the temporary demo config. */
  close(): Promise<void>;
}

const CLOSE_LIMIT_MS = 10_000;

export async function launchElectronApp(options: LaunchOptions): Promise<LaunchedApp> {
  const binary = findElectronBinary();
  if (!binary.ok) throw new Error(`Electron is not available: ${binary.reason}`);
  if (!path.isAbsolute(options.profileDir)) throw new Error('profileDir must be absolute');
  // Always rebuild main + preload (fast, esbuild) so the test runs the current code.
  await buildMain({ root });

  const tempDir = await mkdtemp(path.join(tmpdir(), 'carapace-electron-e2e-'));
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  delete env.ELECTRON_RUN_AS_NODE;
  env.CARAPACE_PROFILE_DIR = options.profileDir;
  if (options.demoConfig !== undefined) {
    const configFile = path.join(tempDir, 'demo-config.json');
    await writeFile(configFile, JSON.stringify(options.demoConfig), { mode: 0o600 });
    env.CARAPACE_NETWORK = 'demo';
    env.CARAPACE_DEMO_CONFIG = configFile;
  } else {
    env.CARAPACE_NETWORK = 'production';
  }
  Object.assign(env, options.env);

  let app: ElectronApplication | undefined;
  try {
    app = await _electron.launch({
      executablePath: binary.path,
      args: [root],
      cwd: root,
      env,
      timeout: options.timeoutMs ?? 30_000,
    });
    const page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    const launched = app;
    return {
      app: launched,
      page,
      async close() {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          launched.close().catch(() => undefined),
          new Promise<void>((resolve) => {
            timer = setTimeout(() => {
              launched.process().kill('SIGKILL');
              resolve();
            }, CLOSE_LIMIT_MS);
          }),
        ]);
        clearTimeout(timer);
        await rm(tempDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (app) await app.close().catch(() => undefined);
    await rm(tempDir, { recursive: true, force: true });
    throw error;
  }
}

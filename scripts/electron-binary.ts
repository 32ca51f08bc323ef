/**
 * Finds the Electron executable WITHOUT `require('electron')`: that module's index.js starts a download
 * from GitHub when the binary is missing, which must not happen as a side effect of a check (tests, E2E
 * project setup). Used by scripts/start.ts (npm start) and e2e/electron-app.ts (Playwright's electron
 * project). Same lookup rules as node_modules/electron/index.js: ELECTRON_OVERRIDE_DIST_PATH, else
 * node_modules/electron/path.txt → node_modules/electron/dist/<path>.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type ElectronBinary =
  { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

export interface LocateInput {
  /** node_modules/electron, or undefined when the package is not installed. */
  readonly packageDir: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  readonly exists: (file: string) => boolean;
  /** Returns the file's text or undefined when it cannot be read. */
  readonly readText: (file: string) => string | undefined;
}

export function executableName(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

/** Pure lookup (fs access injected). */
export function locateElectronBinary(input: LocateInput): ElectronBinary {
  if (input.packageDir === undefined) {
    return { ok: false, reason: 'the electron package is not installed (run npm ci)' };
  }
  const recorded = input.readText(path.join(input.packageDir, 'path.txt'))?.trim();
  const override = input.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override !== undefined && override.length > 0) {
    const candidate = path.join(override, recorded || executableName(input.platform));
    return input.exists(candidate)
      ? { ok: true, path: candidate }
      : { ok: false, reason: `ELECTRON_OVERRIDE_DIST_PATH has no Electron executable (${candidate})` };
  }
  if (recorded === undefined || recorded.length === 0) {
    return {
      ok: false,
      reason: 'the Electron binary was never downloaded (node_modules/electron/path.txt is missing)',
    };
  }
  const candidate = path.join(input.packageDir, 'dist', recorded);
  return input.exists(candidate)
    ? { ok: true, path: candidate }
    : { ok: false, reason: `the Electron binary is missing (${candidate})` };
}

/** node_modules/electron of this repository, found without loading its index.js. */
export function electronPackageDir(): string | undefined {
  try {
    return path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

/** The real lookup on this machine. */
export function findElectronBinary(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ElectronBinary {
  return locateElectronBinary({
    packageDir: electronPackageDir(),
    env,
    platform: process.platform,
    exists: (file) => existsSync(file),
    readText: (file) => {
      try {
        return readFileSync(file, 'utf8');
      } catch {
        return undefined;
      }
    },
  });
}

/**
 * Runs electron's own installer (downloads the binary from GitHub into node_modules/electron/dist).
 * Resolves true when it exited 0 within the time limit; its output is passed through.
 */
export function downloadElectron(timeoutMs = 300_000): Promise<boolean> {
  const packageDir = electronPackageDir();
  if (packageDir === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(packageDir, 'install.js')], { stdio: 'inherit' });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

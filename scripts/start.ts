/**
 * `npm start`: runs Carapace in Electron against the local demo network.
 *   1. find the Electron binary (downloading it on first launch where the network allows); without one,
 *      say so clearly, point to the web harness (`npm run harness`) and exit 1 — before building anything;
 *   2. build the renderer (vite) and main + preload (esbuild);
 *   3. start the demo network (mock Signal server on 127.0.0.1) with an echo contact, write its client
 *      config to a private temp file;
 *   4. launch `electron .` in demo mode, with core dumps off (main/core-dumps.ts: the lock crashes the renderer
 *      on purpose); when it exits, stop the network and remove the file.
 * Options: `npm start -- --profile /abs/profile/dir` (default: Electron's per-user data dir);
 * `--skip-renderer-build` reuses an existing dist/renderer (faster relaunch).
 * Env: CARAPACE_NO_ELECTRON_DOWNLOAD=1 skips the download attempt.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchWithoutCoreDumps } from '../main/core-dumps.js';
import { buildMain } from './build-main.js';
import { downloadElectron, findElectronBinary, type ElectronBinary } from './electron-binary.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (line: string): void => void process.stdout.write(`start: ${line}\n`);

export function missingElectronMessage(reason: string, downloadAttempted: boolean): string {
  return [
    'npm start: cannot launch Carapace — there is no Electron binary on this machine.',
    `  Reason: ${reason}.`,
    downloadAttempted
      ? "  Electron's binary is downloaded from GitHub on first launch; that download failed here."
      : '  No download was attempted (CARAPACE_NO_ELECTRON_DOWNLOAD, ELECTRON_OVERRIDE_DIST_PATH or CI is set).',
    '',
    '  Use the web harness instead — the same UI and core, in your browser over an authenticated',
    '  loopback connection (127.0.0.1, random per-launch token):',
    '',
    '      npm run harness',
    '',
    '  Or install Electron where the network allows (`npx install-electron`), or point',
    '  ELECTRON_OVERRIDE_DIST_PATH at an unpacked Electron, then run `npm start` again.',
    '',
  ].join('\n');
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(args[0] ?? command)} exited ${code}`)),
    );
  });
}

async function ensureElectron(): Promise<{ binary: ElectronBinary; downloadAttempted: boolean }> {
  const found = findElectronBinary();
  if (found.ok) return { binary: found, downloadAttempted: false };
  const mayDownload =
    process.env.CARAPACE_NO_ELECTRON_DOWNLOAD !== '1' &&
    !process.env.ELECTRON_OVERRIDE_DIST_PATH &&
    !process.env.CI;
  if (!mayDownload) return { binary: found, downloadAttempted: false };
  say(`${found.reason}; trying to download Electron (first launch)…`);
  const downloaded = await downloadElectron();
  return { binary: downloaded ? findElectronBinary() : found, downloadAttempted: true };
}

function profileArg(argv: readonly string[]): string | undefined {
  const index = argv.indexOf('--profile');
  const value = index >= 0 ? argv[index + 1] : undefined;
  if (value !== undefined && !path.isAbsolute(value)) throw new Error('--profile needs an absolute path');
  return value;
}

async function main(): Promise<number> {
  const { binary: electron, downloadAttempted } = await ensureElectron();
  if (!electron.ok) {
    process.stderr.write(missingElectronMessage(electron.reason, downloadAttempted));
    return 1;
  }
  const profileDir = profileArg(process.argv.slice(2));

  const viteConfig = path.join(root, 'renderer', 'vite.config.ts');
  if (process.argv.includes('--skip-renderer-build')) {
    say('reusing the existing renderer build (--skip-renderer-build)');
  } else if (existsSync(viteConfig)) {
    say('building the renderer (vite)…');
    await run(process.execPath, [
      path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      viteConfig,
    ]);
  } else {
    say('renderer/vite.config.ts not found; skipping the renderer build');
  }
  say('building main + preload (esbuild)…');
  await buildMain({ root });

  say('starting the local demo network…');
  const { startDemoNetwork } = await import('../src/demo/network.js');
  const network = await startDemoNetwork();
  const tempDir = await mkdtemp(path.join(tmpdir(), 'carapace-start-'));
  const configFile = path.join(tempDir, 'demo-config.json');
  try {
    await writeFile(configFile, JSON.stringify(network.config), { mode: 0o600 });
    const echo = await network.createContact('Echo', { echo: true });
    // A simulated contact on the local mock network (not a real person's number).
    say(`demo network up; echo contact "${echo.name}": ${echo.device.device.number ?? '(no number)'}`);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CARAPACE_NETWORK: 'demo',
      CARAPACE_DEMO_CONFIG: configFile,
    };
    delete env.ELECTRON_RUN_AS_NODE;
    if (profileDir !== undefined) env.CARAPACE_PROFILE_DIR = profileDir;
    say('launching Electron…');
    const launch = launchWithoutCoreDumps(process.platform, electron.path, [root]);
    const child = spawn(launch.command, [...launch.args], { cwd: root, stdio: 'inherit', env });
    const stop = (): void => void child.kill('SIGTERM');
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    const code = await new Promise<number>((resolve) => {
      child.on('error', () => resolve(1));
      child.on('exit', (exitCode) => resolve(exitCode ?? 1));
    });
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    return code;
  } finally {
    await network.close();
    await rm(tempDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`npm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}

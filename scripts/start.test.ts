/**
 * `npm start` end to end, without Electron: (1) no binary → the clear message and exit 1; (2) a stand-in
 * "electron" executable (a shell script) proves the rest of the pipeline — main build, the real demo
 * network, demo-mode launch arguments and environment, cleanup.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClientConfig } from '../src/net/config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsxCli = path.join(
  path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')),
  'dist',
  'cli.mjs',
);

function runStart(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, CARAPACE_NO_ELECTRON_DOWNLOAD: '1', ...env };
    delete childEnv.CI;
    const child = spawn(process.execPath, [tsxCli, path.join(root, 'scripts', 'start.ts'), ...args], {
      cwd: root,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'carapace-start-test-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('npm start', () => {
  it('without an Electron binary: says so, points to the web harness, exits non-zero', async () => {
    const empty = path.join(work, 'no-electron');
    const result = await runStart([], { ELECTRON_OVERRIDE_DIST_PATH: empty });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no Electron binary');
    expect(result.stderr).toContain('npm run harness');
    expect(result.stderr).toContain(empty);
    // It fails before building or starting anything.
    expect(result.stdout).not.toContain('building');
  });

  it('with an Electron executable: builds, starts the demo network and launches the app in demo mode', async () => {
    const dist = path.join(work, 'fake-electron');
    const record = path.join(work, 'launch.txt');
    const profile = path.join(work, 'profile');
    await import('node:fs/promises').then((fs) => fs.mkdir(dist));
    // Records what it was started with, copies the demo config it was given, and exits 0.
    await writeFile(
      path.join(dist, 'electron'),
      [
        '#!/bin/sh',
        `{ echo "args=$*"; echo "network=$CARAPACE_NETWORK"; echo "profile=$CARAPACE_PROFILE_DIR";`,
        ` echo "config=$CARAPACE_DEMO_CONFIG"; echo "runAsNode=\${ELECTRON_RUN_AS_NODE:-unset}";`,
        ` echo "core=$(ulimit -c) $(ulimit -H -c)"; } > "${record}"`,
        `cp "$CARAPACE_DEMO_CONFIG" "${record}.config.json"`,
        'exit 0',
        '',
      ].join('\n'),
    );
    await chmod(path.join(dist, 'electron'), 0o755);

    const result = await runStart(['--skip-renderer-build', '--profile', profile], {
      ELECTRON_OVERRIDE_DIST_PATH: dist,
      ELECTRON_RUN_AS_NODE: '1',
    });
    expect(result.stderr).not.toContain('npm start failed');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/demo network up; echo contact "Echo": \+\d+/);

    const lines = Object.fromEntries(
      (await readFile(record, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    ) as Record<string, string>;
    expect(lines.args).toBe(root);
    expect(lines.network).toBe('demo');
    expect(lines.profile).toBe(profile);
    expect(lines.runAsNode).toBe('unset');
    // Launched with core dumps off (soft and hard), inherited by every process Chromium starts.
    expect(lines.core).toBe('0 0');
    // The config handed to the app is a valid demo ClientConfig for a loopback server…
    const config = parseClientConfig(JSON.parse(await readFile(`${record}.config.json`, 'utf8')) as unknown);
    expect(config.mode).toBe('demo');
    expect(config.chat.host).toBe('127.0.0.1');
    // …and it is removed once the app exits.
    expect(existsSync(lines.config ?? '')).toBe(false);
    expect(existsSync(path.join(root, 'dist', 'main', 'preload.cjs'))).toBe(true);
  });
});

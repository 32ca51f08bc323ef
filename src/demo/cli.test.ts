import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseClientConfig } from '../net/config.js';
import { directSocketOpener } from '../net/direct-opener.js';
import { openChatConnection } from '../net/chat-connection.js';

describe('npm run demo-server (src/demo/cli.ts)', () => {
  it('writes a usable config, serves it, and exits 0 on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'carapace-cli-'));
    const configPath = join(dir, 'demo-config.json');
    const child = spawn(
      join(process.cwd(), 'node_modules', '.bin', 'tsx'),
      ['src/demo/cli.ts', '--config-out', configPath, '--contacts', 'Alice'],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!stdout.includes('ready')) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`CLI did not start: ${stdout}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(stdout).toContain('contact Echo');
      expect(stdout).toContain('contact Alice');
      expect((await stat(configPath)).mode & 0o077).toBe(0);
      const config = parseClientConfig(JSON.parse(await readFile(configPath, 'utf8')));
      expect(config.mode).toBe('demo');
      const connection = await openChatConnection({
        endpoint: config.chat,
        trustRootsPem: config.tlsTrustRootsPem,
        openSocket: directSocketOpener,
        keepaliveIntervalMs: 0,
      });
      expect((await connection.request({ verb: 'GET', path: '/v1/keepalive' })).status).toBe(200);
      await connection.close();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});

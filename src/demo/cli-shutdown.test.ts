/**
 * `npm run demo-server` stops on SIGTERM within a bound even while Echo waits for a client to acknowledge
 * its answer (a client that never acks must not keep the server alive).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openChatConnection, parseJsonBody } from '../net/chat-connection.js';
import { parseClientConfig } from '../net/config.js';
import { directSocketOpener } from '../net/direct-opener.js';
import type { PreKeyBundleJson } from '../signal/cipher.js';
import { SignalProtocolStores } from '../signal/stores/index.js';
import { openTestDb } from '../test-support/db.js';
import { createTestDir } from '../test-support/files.js';
import { SignalCipher, parseTrustRoots } from '../signal/test-support/signal-cipher.js';
import { registerDemoAccount } from './test-support/register-demo-account.js';

/** The CLI's own bound (CLOSE_LIMIT_MS in cli.ts) plus process start-up and exit slack. */
const EXIT_LIMIT_MS = 8_000;

async function until(condition: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('npm run demo-server shutdown', () => {
  it('exits on SIGTERM within the bound while a reply from Echo is unacknowledged', async () => {
    const dir = createTestDir('carapace-cli-shutdown-');
    const child = spawn(
      join(process.cwd(), 'node_modules', '.bin', 'tsx'),
      ['src/demo/cli.ts', '--contacts', ''],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await until(() => stdout.includes('ready') || child.exitCode !== null, 'the CLI to start');
      const echoAci = /contact Echo aci=(\S+)/.exec(stdout)?.[1];
      const configJson = /config follows\n([\s\S]*\n})\n/.exec(stdout)?.[1];
      if (!echoAci || !configJson) throw new Error(`unexpected CLI output: ${stdout}`);
      const config = parseClientConfig(JSON.parse(configJson));

      const stores = new SignalProtocolStores(openTestDb(`${dir.path}/me.db`));
      const account = await registerDemoAccount({ config }, stores, { oneTimePreKeyCount: 2 });
      const cipher = new SignalCipher(stores, {
        deviceId: 1,
        trustRoots: parseTrustRoots(config.unidentifiedDeliveryTrustRoots),
      });
      let delivered = 0;
      const socket = await openChatConnection({
        endpoint: config.chat,
        trustRootsPem: config.tlsTrustRootsPem,
        openSocket: directSocketOpener,
        auth: { username: `${account.aci}.1`, password: account.password },
        keepaliveIntervalMs: 0,
        // Never acknowledge: Echo's first answer (its delivery receipt) stays in flight.
        onRequest: (request) => {
          if (request.path !== '/api/v1/message') return Promise.resolve(200);
          delivered += 1;
          return new Promise<number>(() => undefined);
        },
      });
      const bundle = parseJsonBody(
        await socket.requestOk({ verb: 'GET', path: `/v2/keys/${echoAci}/*` }),
      ) as PreKeyBundleJson;
      await cipher.processPreKeyBundle(echoAci, bundle);
      const timestamp = Date.now();
      const message = await cipher.encrypt(echoAci, 1, { dataMessage: { body: 'ping', timestamp } });
      await socket.requestOk({
        verb: 'PUT',
        path: `/v1/messages/${echoAci}`,
        json: { messages: [message], timestamp },
      });
      await until(() => delivered > 0, "Echo's answer to reach the client");

      const started = Date.now();
      child.kill('SIGTERM');
      const code = await Promise.race([
        exited,
        new Promise<'still running'>((r) => setTimeout(() => r('still running'), EXIT_LIMIT_MS)),
      ]);
      expect(code).toBe(0);
      expect(Date.now() - started).toBeLessThan(EXIT_LIMIT_MS);
      await socket.close();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      dir.dispose();
    }
  }, 60_000);
});

/**
 * Test-only child process for the crash test: unlocks the vault of a profile, starts the messaging
 * client against the demo network and processes whatever the server delivers, until it is killed.
 * Usage: node --import tsx crash-child.ts <job.json>. Prints "connected" once the socket is up.
 */
import { readFileSync } from 'node:fs';
import { parseClientConfig } from '../../net/config.js';
import { Vault } from '../../vault/index.js';
import { MessagingClient, type AccountCredentials } from '../client.js';
import { TEST_KDF, TEST_PASSPHRASE } from '../../test-support/vault.js';

interface Job {
  readonly profileDir: string;
  readonly config: unknown;
  readonly credentials: AccountCredentials;
}

const jobPath = process.argv[2];
if (!jobPath) throw new Error('usage: crash-child.ts <job.json>');
const job = JSON.parse(readFileSync(jobPath, 'utf8')) as Job;
const vault = new Vault(job.profileDir, { kdf: TEST_KDF });
await vault.unlock(Buffer.from(TEST_PASSPHRASE));
const client = await MessagingClient.start({
  vault,
  config: parseClientConfig(job.config),
  credentials: job.credentials,
  keepaliveIntervalMs: 0,
});
process.stdout.write('connected\n');
const shutdown = (): void => {
  void client.stop().then(() => {
    vault.lock('shutdown');
    process.exit(0);
  });
};
process.on('SIGTERM', shutdown);

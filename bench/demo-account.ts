/**
 * A benchmark's own account: the demo server in its own process (bench/server-process.ts), a fresh vault
 * in a temporary profile, and an account registered on that server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessagingClient } from '../src/messaging/client.js';
import type { MessagingClientOptions } from '../src/messaging/client-options.js';
import { registerTestAccount, type TestAccount } from '../src/messaging/test-support/account.js';
import { parseClientConfig, type ClientConfig } from '../src/net/config.js';
import { TEST_KDF, TEST_PASSPHRASE } from '../src/test-support/vault.js';
import { Vault } from '../src/vault/index.js';
import { ServerProcess } from './server-process.js';

export interface BenchAccount {
  readonly server: ServerProcess;
  readonly config: ClientConfig;
  readonly vault: Vault;
  readonly account: TestAccount;
  /** The app's messaging client for the account: no keepalive pings, no attachment downloads. */
  startClient(options?: Partial<MessagingClientOptions>): Promise<MessagingClient>;
  /** Stops the server process and removes the profile. */
  close(): Promise<void>;
}

export async function startBenchAccount(name: string, deliveryWindow: number): Promise<BenchAccount> {
  const server = new ServerProcess(deliveryWindow);
  const profileDir = mkdtempSync(join(tmpdir(), `carapace-bench-${name}-`));
  const close = async () => {
    await server.close();
    rmSync(profileDir, { recursive: true, force: true });
  };
  try {
    const config = parseClientConfig((await server.next('ready')).config);
    const vault = new Vault(profileDir, { kdf: TEST_KDF });
    await vault.create(Buffer.from(TEST_PASSPHRASE));
    const account = await registerTestAccount(vault.db, config);
    const startClient = (options: Partial<MessagingClientOptions> = {}) =>
      MessagingClient.start({
        vault,
        config,
        credentials: account,
        keepaliveIntervalMs: 0,
        attachments: false,
        ...options,
      });
    return { server, config, vault, account, startClient, close };
  } catch (error) {
    await close();
    throw error;
  }
}

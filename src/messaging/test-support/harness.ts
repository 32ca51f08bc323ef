/**
 * Shared messaging test helpers: a real demo network (mock-server over TLS), a real Vault (SQLCipher,
 * low test KDF params) with a registered primary account, and simulated contacts (the mock's own
 * phones) that can message us first, with or without sealed sender.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Device } from '@signalapp/mock-server';
import { startDemoNetwork, type DemoContact, type DemoNetwork } from '../../demo/network.js';
import { Vault } from '../../vault/index.js';
import { MessagingClient } from '../client.js';
import type { MessagingClientOptions } from '../client-options.js';
import { registerTestAccount, type TestAccount } from './account.js';
import { TEST_KDF, TEST_PASSPHRASE } from '../../test-support/vault.js';

export { TEST_KDF, TEST_PASSPHRASE };

export interface Harness {
  readonly network: DemoNetwork;
  readonly profileDir: string;
  vault: Vault;
  readonly account: TestAccount;
  /** Our registered device as the mock server sees it. */
  readonly device: Device;
  startClient(options?: Partial<MessagingClientOptions>): Promise<MessagingClient>;
  /** A fresh Vault object on the same profile (a "restart"), unlocked. */
  reopenVault(): Promise<Vault>;
  contact(name: string, options?: { echo?: boolean }): Promise<DemoContact>;
  /**
   * The contact sends `text` to us. Returns once the server accepted it (not when we acked): the
   * promise of our ack is in `acked`.
   */
  sendFromContact(
    contact: DemoContact,
    text: string,
    options?: { sealed?: boolean; timestamp?: number; withProfileKey?: boolean },
  ): { acked: Promise<void> };
  close(): Promise<void>;
}

export async function createHarness(
  options: { cdnDir?: string; deliveryWindow?: number; clock?: () => number } = {},
): Promise<Harness> {
  const network = await startDemoNetwork({
    ...(options.cdnDir ? { cdnDir: options.cdnDir } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.deliveryWindow ? { deliveryWindow: options.deliveryWindow } : {}),
  });
  const profileDir = mkdtempSync(join(tmpdir(), 'carapace-msg-profile-'));
  let vault = new Vault(profileDir, { kdf: TEST_KDF });
  await vault.create(Buffer.from(TEST_PASSPHRASE));
  const account = await registerTestAccount(vault.db, network.config);
  const device = await network.server.getDeviceByServiceId(account.aci as never);
  if (!device) throw new Error('registered device not found on the mock server');
  const sessions = new Map<DemoContact, Promise<void>>();
  const clients: MessagingClient[] = [];

  return {
    network,
    profileDir,
    get vault() {
      return vault;
    },
    set vault(next: Vault) {
      vault = next;
    },
    account,
    device,
    async startClient(options = {}) {
      const client = await MessagingClient.start({
        vault,
        config: network.config,
        credentials: account,
        keepaliveIntervalMs: 0,
        ...options,
      });
      clients.push(client);
      return client;
    },
    async reopenVault() {
      if (vault.state === 'unlocked') vault.lock('user');
      vault = new Vault(profileDir, { kdf: TEST_KDF });
      await vault.unlock(Buffer.from(TEST_PASSPHRASE));
      return vault;
    },
    contact(name, options) {
      return network.createContact(name, options);
    },
    sendFromContact(contact, text, options = {}) {
      const acked = (async () => {
        let ready = sessions.get(contact);
        if (!ready) {
          ready = device.popSingleUseKey().then((key) => contact.device.addSingleUseKey(device, key));
          sessions.set(contact, ready);
        }
        await ready;
        await contact.device.sendText(device, text, {
          sealed: options.sealed ?? false,
          withProfileKey: options.withProfileKey ?? true,
          ...(options.timestamp ? { timestamp: options.timestamp } : {}),
        });
      })();
      return { acked };
    },
    async close() {
      for (const client of clients) await client.stop().catch(() => undefined);
      if (vault.state === 'unlocked') vault.lock('shutdown');
      await network.close();
      rmSync(profileDir, { recursive: true, force: true });
    },
  };
}

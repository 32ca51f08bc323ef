/**
 * The demo server's delivery guarantees (src/demo/extensions/demo-server.ts): queue order, a message
 * leaves the queue only when acknowledged with 200, unacknowledged messages come back after a reconnect —
 * with one message in flight and with a pipelined window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device } from '@signalapp/mock-server';
import { openChatConnection } from '../net/chat-connection.js';
import { directSocketOpener } from '../net/direct-opener.js';
import { SignalProtocolStores } from '../signal/stores/index.js';
import { openTestDb } from '../test-support/db.js';
import { createTestDir, type TestDir } from '../test-support/files.js';
import { startDemoNetwork, type DemoNetwork } from './network.js';
import { registerDemoAccount } from './test-support/register-demo-account.js';

async function until(condition: () => boolean, what: string, limitMs = 15_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const deliveryWindow of [1, 8]) {
  describe(`demo server delivery, window ${deliveryWindow}`, () => {
    let network: DemoNetwork;
    let dir: TestDir;
    beforeAll(async () => {
      network = await startDemoNetwork({ deliveryWindow });
      dir = createTestDir('carapace-delivery-');
    });
    afterAll(async () => {
      await network.close();
      dir.dispose();
    });

    it('delivers a backlog in order, keeps what was not acked, and redelivers it after a reconnect', async () => {
      const stores = new SignalProtocolStores(openTestDb(`${dir.path}/me.db`));
      const account = await registerDemoAccount(network, stores, { oneTimePreKeyCount: 2 });
      const device = (await network.server.getDeviceByServiceId(account.aci as never)) as Device;
      // Opaque payloads: this test is about delivery, not decryption.
      const total = 30;
      const sent = Array.from({ length: total }, (_, i) => network.server.send(device, Buffer.from(`m${i}`)));
      expect(network.server.pendingCount(device)).toBe(total);

      const received: string[] = [];
      let failOnce = true;
      let connectCount = 0;
      const connect = () => {
        connectCount += 1;
        return openChatConnection({
          endpoint: network.config.chat,
          trustRootsPem: network.config.tlsTrustRootsPem,
          openSocket: directSocketOpener,
          auth: { username: `${account.aci}.1`, password: account.password },
          onRequest: (request) => {
            if (request.path !== '/api/v1/message') return Promise.resolve(200);
            const body = Buffer.from(request.body ?? []).toString();
            received.push(body);
            if (body === 'm12' && failOnce) {
              failOnce = false;
              return Promise.reject(new Error('commit failed'));
            }
            return Promise.resolve(200);
          },
        });
      };
      // The failed ack makes the server drop the socket; the next connection gets the rest.
      await (
        await connect()
      ).closed;
      const socket = await connect();
      await Promise.all(sent);
      await until(() => network.server.pendingCount(device) === 0, 'all acked');
      await socket.close();

      // Up to the failure, strictly in order.
      const failure = received.indexOf('m12');
      expect(received.slice(0, failure + 1)).toEqual(Array.from({ length: 13 }, (_, i) => `m${i}`));
      // Everything arrived; m12 (and, with a window, what was in flight after it) came again.
      expect(new Set(received)).toEqual(new Set(Array.from({ length: total }, (_, i) => `m${i}`)));
      expect(received.filter((b) => b === 'm12')).toHaveLength(2);
      // After the reconnect the queue restarts at the first unacknowledged message and continues in queue
      // order; messages the client acknowledged meanwhile (possible with a window > 1) are not resent.
      const second = received.lastIndexOf('m12');
      const again = received.slice(second).map((b) => Number(b.slice(1)));
      expect(again[0]).toBe(12);
      expect(again.at(-1)).toBe(total - 1);
      expect([...again].sort((a, b) => a - b)).toEqual(again);
      if (deliveryWindow === 1) expect(again).toHaveLength(total - 12);
      expect(connectCount).toBe(2);
    });
  });
}

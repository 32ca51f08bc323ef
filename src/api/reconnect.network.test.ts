/**
 * Issue 13.3: the client recovers on its own when the proxy comes back. On the demo network through a real
 * SOCKS5 proxy (microsocks): unlock while the proxy is down reports `proxy-error`, and once the same proxy
 * listens again the client connects without any user action (still only through the proxy); a proxy that
 * dies mid-session is reported as `proxy-error`, not as a `connecting` that never ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import { startMicrosocks, type Microsocks } from '../net/test-support/socks.js';
import type { CoreService } from './service.js';
import { createTestCore, registerThroughService, type TestCore } from './test-support/core.js';
import { nextEvent, value } from './test-support/events.js';

const PASS = 'reconnect test passphrase 13';
const NUMBER = '+15550001313';

describe('reconnects through the proxy after failures (demo network, microsocks)', () => {
  let network: DemoNetwork;
  let proxy: Microsocks;
  let core: TestCore;
  let service: CoreService;
  let echoChat: string;

  beforeAll(async () => {
    network = await startDemoNetwork();
    proxy = await startMicrosocks();
    core = createTestCore({ networkConfig: network.config });
    service = core.service;
    await value(service.call('vault.create', { passphrase: PASS }));
    await value(
      service.call('settings.update', {
        patch: { proxy: { mode: 'socks5', host: proxy.host, port: proxy.port } },
      }),
    );
    await registerThroughService(service, NUMBER);
    const echo = await network.createContact('Echo', { echo: true });
    echoChat = (await value(service.call('conversations.start', { serviceId: echo.aci, name: 'Echo' }))).id;
  });

  afterAll(async () => {
    await core?.dispose();
    await proxy?.stop();
    await network?.close();
  });

  async function roundTrip(body: string): Promise<void> {
    const reply = nextEvent(service, 'message.added', (p) => p.message.body === `Echo: ${body}`);
    await value(service.call('messages.send', { conversationId: echoChat, body }));
    await reply;
  }

  it('unlocked while the proxy is down: proxy-error, then online once the proxy is back', async () => {
    await value(service.call('vault.lock', {}));
    await proxy.stop();

    const refused = nextEvent(service, 'network.status', (p) => p.status === 'proxy-error');
    await value(service.call('vault.unlock', { passphrase: PASS }));
    expect((await refused).detail).toBe('PROXY_UNAVAILABLE');
    const send = await service.call('messages.send', { conversationId: echoChat, body: 'too early' });
    expect(send.ok ? 'sent' : send.error.code).toBe('PROXY_UNAVAILABLE');

    const online = nextEvent(service, 'network.status', (p) => p.status === 'online');
    proxy = await startMicrosocks({ port: proxy.port });
    await online;
    await roundTrip('back through the proxy');
    expect(proxy.connectedTargets().length).toBeGreaterThan(0);
  });

  it('a proxy that dies mid-session is reported as proxy-error, and the client returns with it', async () => {
    const failed = nextEvent(service, 'network.status', (p) => p.status === 'proxy-error');
    await proxy.stop();
    expect((await failed).detail).toBe('PROXY_UNAVAILABLE');

    const online = nextEvent(service, 'network.status', (p) => p.status === 'online');
    proxy = await startMicrosocks({ port: proxy.port });
    await online;
    await roundTrip('after the proxy died');
  });

  it('stops retrying when the vault locks', async () => {
    await value(service.call('vault.lock', {}));
    await proxy.stop();
    const refused = nextEvent(service, 'network.status', (p) => p.status === 'proxy-error');
    await value(service.call('vault.unlock', { passphrase: PASS }));
    await refused;
    await value(service.call('vault.lock', {}));

    // The proxy is back, but nothing of the locked session may connect through it (retries are 0.25–2 s).
    proxy = await startMicrosocks({ port: proxy.port });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(proxy.connectedTargets()).toEqual([]);

    const online = nextEvent(service, 'network.status', (p) => p.status === 'online');
    await value(service.call('vault.unlock', { passphrase: PASS }));
    await online;
  });
});

/**
 * Issue 12.3: a route change governs a registration in progress. The proxy is set after the captcha step
 * (the registration's socket is open directly); the route manager closes that socket, so the code step
 * cannot finish over the old direct connection: it fails with a network error, and the registration started
 * again goes through the proxy. The demo server tells direct connections (127.0.0.1) from proxied ones
 * (microsocks leaves from 127.0.0.2).
 */
import type { Socket } from 'node:net';
import type { Http2SecureServer } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import { PROXY_EGRESS_ADDRESS, startMicrosocks, type Microsocks } from '../net/test-support/socks.js';
import type { CoreService } from './service.js';
import { createTestCore, type TestCore } from './test-support/core.js';
import { nextEvent, value } from './test-support/events.js';

const PASS = 'registration route test passphrase 5';
const NUMBER = '+15550008181';

describe('a proxy set during registration', () => {
  let network: DemoNetwork;
  let proxy: Microsocks;
  let core: TestCore;
  let service: CoreService;
  /** The peer address of every TCP connection the demo server accepts. */
  const peers: string[] = [];

  beforeAll(async () => {
    network = await startDemoNetwork();
    proxy = await startMicrosocks();
    const https = (network.server as unknown as { https: Http2SecureServer }).https;
    https.on('connection', (socket: Socket) => peers.push(socket.remoteAddress ?? ''));
    core = createTestCore({ networkConfig: network.config });
    service = core.service;
    await value(service.call('vault.create', { passphrase: PASS }));
  });

  afterAll(async () => {
    await core?.dispose();
    await proxy?.stop();
    await network?.close();
  });

  it('the code step does not finish over the old direct socket; the next try goes through the proxy', async () => {
    const first = await value(service.call('account.startRegistration', { e164: NUMBER }));
    await value(
      service.call('account.submitCaptcha', { sessionId: first.sessionId, captcha: 'demo-captcha' }),
    );
    expect(peers.filter((p) => p !== PROXY_EGRESS_ADDRESS).length).toBeGreaterThan(0); // direct so far

    peers.length = 0;
    await value(
      service.call('settings.update', {
        patch: { proxy: { mode: 'socks5', host: proxy.host, port: proxy.port } },
      }),
    );
    const code = await service.call('account.submitCode', { sessionId: first.sessionId, code: '111111' });
    expect(code).toMatchObject({ ok: false, error: { code: 'NETWORK' } });
    // That registration is over; the user starts again, through the proxy.
    expect(
      await service.call('account.submitCode', { sessionId: first.sessionId, code: '111111' }),
    ).toMatchObject({ ok: false, error: { code: 'PRECONDITION' } });

    const again = await value(service.call('account.startRegistration', { e164: NUMBER }));
    await value(
      service.call('account.submitCaptcha', { sessionId: again.sessionId, captcha: 'demo-captcha' }),
    );
    const online = nextEvent(service, 'network.status', (p) => p.status === 'online');
    expect(
      (await value(service.call('account.submitCode', { sessionId: again.sessionId, code: '111111' })))
        .registered,
    ).toBe(true);
    await online;
    expect(peers.length).toBeGreaterThan(0);
    expect(peers.filter((p) => p !== PROXY_EGRESS_ADDRESS)).toEqual([]);
  });
});

/**
 * The Signal TLS proxy as the session's route, end to end through the core service on the demo network and
 * a real nginx set up like signalapp/Signal-TLS-Proxy: registration, the chat socket (send to Echo and
 * receive its reply) and an attachment upload all reach the demo server only through the relay — its
 * access log names every connection and the server sees only the relay's address. With the proxy down,
 * the client reports `proxy-error` and nothing reaches the demo network.
 */
import type { Http2SecureServer } from 'node:http2';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import { RELAY_EGRESS_ADDRESS, startSignalTlsProxy, type SignalTlsProxy } from '../net/test-support/nginx.js';
import { createTestProfile, TEST_KDF, type TestProfile } from '../test-support/vault.js';
import { createCoreService, type CoreService } from './service.js';
import { nextEvent, value } from './test-support/events.js';

const PASS = 'tls proxy route passphrase 20';
const NUMBER = '+15550002020';

describe('the session route through a Signal TLS proxy (demo network behind nginx)', () => {
  let network: DemoNetwork;
  let proxy: SignalTlsProxy;
  let profile: TestProfile;
  let service: CoreService;
  const peers: string[] = [];

  beforeAll(async () => {
    network = await startDemoNetwork();
    const https = (network.server as unknown as { https: Http2SecureServer }).https;
    https.on('connection', (socket: Socket) => peers.push(socket.remoteAddress ?? ''));
    const chat = network.config.chat;
    proxy = await startSignalTlsProxy({
      relay: { [chat.servername ?? chat.host]: `127.0.0.1:${chat.port}` },
    });
    profile = createTestProfile();
    service = createCoreService({
      profileDir: profile.dir,
      networkConfig: network.config,
      vault: { kdf: TEST_KDF },
      routes: { tlsProxyTrustRootsPem: [proxy.certPem] },
    });
    await value(service.call('vault.create', { passphrase: PASS }));
  });

  afterAll(async () => {
    await service?.close();
    await proxy?.stop();
    await network?.close();
    profile?.dispose();
  });

  it('registers, chats and sends an attachment only through the relay; proxy down → proxy-error, nothing connects', async () => {
    await value(
      service.call('settings.update', {
        patch: { proxy: { mode: 'signal-tls-proxy', host: proxy.host, port: proxy.port } },
      }),
    );
    const step = await value(service.call('account.startRegistration', { e164: NUMBER }));
    await value(
      service.call('account.submitCaptcha', { sessionId: step.sessionId, captcha: 'demo-captcha' }),
    );
    const online = nextEvent(service, 'network.status', (p) => p.status === 'online');
    await value(service.call('account.submitCode', { sessionId: step.sessionId, code: '111111' }));
    await online;

    const echo = await network.createContact('Echo', { echo: true });
    const chat = await value(service.call('conversations.start', { serviceId: echo.aci, name: 'Echo' }));
    const reply = nextEvent(service, 'message.added', (p) => p.message.direction === 'in');
    await value(service.call('messages.send', { conversationId: chat.id, body: 'through the proxy' }));
    expect((await reply).message.body).toBe('Echo: through the proxy');

    const sent = await value(
      service.call('attachments.send', {
        conversationId: chat.id,
        files: [
          { dataBase64: Buffer.from('a note through the proxy').toString('base64'), fileName: 'n.txt' },
        ],
      }),
    );
    expect(sent).toMatchObject({ status: 'sent' });
    expect(sent.attachments[0]).toMatchObject({ state: 'ready' });

    // Every connection the demo server accepted came from the relay; none from this process directly.
    expect(peers.length).toBeGreaterThan(0);
    expect(new Set(peers)).toEqual(new Set([RELAY_EGRESS_ADDRESS]));

    // Proxy down: the client's socket is cut, every reconnect fails closed, nothing reaches the server.
    const proxyError = nextEvent(service, 'network.status', (p) => p.status === 'proxy-error');
    const connectionsBefore = peers.length;
    await proxy.stop();
    expect((await proxyError).detail).toBe('PROXY_UNAVAILABLE');
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // room for reconnect attempts
    expect(peers.length).toBe(connectionsBefore);

    // The relay's log names the Signal host of every connection it carried (SNI read by ssl_preread).
    const names = proxy.relayedNames();
    expect(names.length).toBe(connectionsBefore);
    expect(new Set(names)).toEqual(new Set([network.config.chat.servername]));
  });
});

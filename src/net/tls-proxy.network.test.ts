/**
 * The Signal TLS proxy route against a real nginx set up like signalapp/Signal-TLS-Proxy (outer TLS
 * terminated with a test certificate, an ssl_preread relay mapping the demo network's name to it): the
 * pinned inner TLS reaches the demo server only through the relay; a name the relay does not serve, a proxy
 * that is down and a proxy certificate we do not trust all fail closed with ProxyUnavailableError, and
 * nothing connects directly.
 */
import type { Http2SecureServer } from 'node:http2';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import { ProxyUnavailableError } from '../errors.js';
import { NetworkRouteManager } from './route.js';
import type { SocketOpener } from './socket-opener.js';
import { freePort } from './test-support/socks.js';
import { RELAY_EGRESS_ADDRESS, startSignalTlsProxy, type SignalTlsProxy } from './test-support/nginx.js';
import { openTls } from './tls.js';

describe('Signal TLS proxy route (real nginx relay)', () => {
  let network: DemoNetwork;
  let proxy: SignalTlsProxy;
  const peers: string[] = [];
  let directOpens = 0;
  const directOpener: SocketOpener = () => {
    directOpens += 1;
    return Promise.reject(new Error('direct connection attempted'));
  };

  beforeAll(async () => {
    network = await startDemoNetwork();
    const https = (network.server as unknown as { https: Http2SecureServer }).https;
    https.on('connection', (socket: Socket) => peers.push(socket.remoteAddress ?? ''));
    const chat = network.config.chat;
    proxy = await startSignalTlsProxy({
      relay: { [chat.servername ?? chat.host]: `127.0.0.1:${chat.port}` },
    });
  });

  afterAll(async () => {
    await proxy?.stop();
    await network?.close();
  });

  function routes(port = proxy.port, trusted = true): NetworkRouteManager {
    return new NetworkRouteManager(
      { mode: 'signal-tls-proxy', host: proxy.host, port },
      { directOpener, ...(trusted ? { tlsProxyTrustRootsPem: [proxy.certPem] } : {}) },
    );
  }

  it('runs the pinned TLS to the Signal host inside the proxy stream, relayed by its SNI', async () => {
    const manager = routes();
    const before = peers.length;
    const tls = await openTls({
      endpoint: network.config.chat,
      trustRootsPem: network.config.tlsTrustRootsPem,
      openSocket: manager.opener,
    });
    expect(tls.alpnProtocol).toBe('h2');
    expect(tls.getPeerCertificate().subject?.CN).toBeDefined();
    tls.destroy();
    manager.closeAll();
    expect(peers.slice(before)).toEqual([RELAY_EGRESS_ADDRESS]);
    await expect.poll(() => proxy.relayedNames()).toContain(network.config.chat.servername);
    expect(directOpens).toBe(0);
  });

  it('a name the relay does not serve fails closed with a clear proxy error', async () => {
    const before = peers.length;
    const attempt = openTls({
      endpoint: { ...network.config.chat, servername: 'not-signal.example' },
      trustRootsPem: network.config.tlsTrustRootsPem,
      openSocket: routes().opener,
    });
    await expect(attempt).rejects.toBeInstanceOf(ProxyUnavailableError);
    await expect(attempt).rejects.toThrow(/did not relay the connection to not-signal\.example/);
    expect(peers.length).toBe(before);
    expect(directOpens).toBe(0);
  });

  it('a proxy that is down fails closed; nothing reaches the server', async () => {
    const before = peers.length;
    const attempt = routes(await freePort()).opener(network.config.chat);
    await expect(attempt).rejects.toBeInstanceOf(ProxyUnavailableError);
    await expect(attempt).rejects.toThrow(/cannot be reached\. Carapace never connects without it/);
    expect(peers.length).toBe(before);
    expect(directOpens).toBe(0);
  });

  it('a proxy certificate the public CAs do not vouch for fails the outer TLS', async () => {
    const before = peers.length;
    const attempt = routes(proxy.port, false).opener(network.config.chat);
    await expect(attempt).rejects.toBeInstanceOf(ProxyUnavailableError);
    await expect(attempt).rejects.toThrow(/failed the TLS handshake \(its certificate is not trusted\)/);
    expect(peers.length).toBe(before);
    expect(directOpens).toBe(0);
  });
});

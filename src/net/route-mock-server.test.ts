/**
 * End to end: Carapace's own HTTP/2 REST client and chat WebSocket, talking to the real
 * @signalapp/mock-server over TLS, through a real microsocks, chosen by the NetworkRouteManager.
 *
 * A TCP relay in front of the mock server counts every connection that reaches "the server" and records
 * its peer address (microsocks' outgoing connections leave from 127.0.0.2; anything direct from this
 * process would come from 127.0.0.1). Clients connect to `localhost` by name, so remote DNS shows in the
 * proxy's log.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import { ProxyAuthError, ProxyUnavailableError } from '../errors.js';
import { openChatConnection } from './chat-connection.js';
import type { ServiceEndpoint } from './config.js';
import { RestClient } from './rest.js';
import { NetworkRouteManager, type RouteConfig } from './route.js';
import { freePort, PROXY_EGRESS_ADDRESS, startMicrosocks, type Microsocks } from './test-support/socks.js';

interface CountingRelay {
  readonly port: number;
  readonly peers: string[];
  close(): Promise<void>;
}

async function startCountingRelay(targetPort: number): Promise<CountingRelay> {
  const peers: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    peers.push(client.remoteAddress ?? '');
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    peers,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('REST and chat WebSocket to the mock server through microsocks', () => {
  let network: DemoNetwork;
  let relay: CountingRelay;
  let proxy: Microsocks;
  let otherProxy: Microsocks;
  let endpoint: ServiceEndpoint;
  let trustRootsPem: readonly string[];
  let proxyRoute: RouteConfig;

  beforeAll(async () => {
    network = await startDemoNetwork();
    relay = await startCountingRelay(network.config.chat.port);
    proxy = await startMicrosocks({ username: 'acct-1', password: 'isolation-1' });
    otherProxy = await startMicrosocks();
    endpoint = { host: 'localhost', port: relay.port, servername: 'localhost' };
    trustRootsPem = network.config.tlsTrustRootsPem;
    proxyRoute = {
      mode: 'socks5',
      host: proxy.host,
      port: proxy.port,
      username: 'acct-1',
      password: 'isolation-1',
    };
  });

  afterAll(async () => {
    await proxy?.stop();
    await otherProxy?.stop();
    await relay?.close();
    await network?.close();
  });

  it('REST and the WebSocket work through the proxy; the server sees only the proxy; the proxy logs the name', async () => {
    const manager = new NetworkRouteManager(proxyRoute);
    const before = relay.peers.length;
    const rest = new RestClient({ endpoint, trustRootsPem, openSocket: manager.opener });
    try {
      // An HTTP/2 round trip to the mock's REST side; without account credentials it answers 401.
      const response = await rest.request({ method: 'GET', path: '/v1/config' });
      expect(response.status).toBe(401);
    } finally {
      rest.close();
    }
    const chat = await openChatConnection({ endpoint, trustRootsPem, openSocket: manager.opener });
    try {
      const answer = await chat.request({ verb: 'GET', path: '/v1/keepalive' });
      expect(answer.status).toBe(200);
    } finally {
      await chat.close();
    }
    const seen = relay.peers.slice(before);
    expect(seen).toHaveLength(2);
    expect(seen.every((address) => address.endsWith(PROXY_EGRESS_ADDRESS))).toBe(true);
    const logged = await proxy.waitForConnections(2);
    expect(logged.filter((line) => line === `localhost:${relay.port}`)).toHaveLength(2);
  });

  it('proxy down: REST and WebSocket fail with ProxyUnavailableError and zero connections reach the server', async () => {
    const manager = new NetworkRouteManager({ mode: 'socks5', host: '127.0.0.1', port: await freePort() });
    const before = relay.peers.length;
    const rest = new RestClient({ endpoint, trustRootsPem, openSocket: manager.opener });
    const restError = await rest.request({ method: 'GET', path: '/v1/keepalive' }).catch((e: unknown) => e);
    rest.close();
    expect(restError).toBeInstanceOf(ProxyUnavailableError);
    const chatError = await openChatConnection({ endpoint, trustRootsPem, openSocket: manager.opener }).catch(
      (e: unknown) => e,
    );
    expect(chatError).toBeInstanceOf(ProxyUnavailableError);
    expect(relay.peers.length).toBe(before);
  });

  it('wrong proxy password: ProxyAuthError and zero connections reach the server', async () => {
    const manager = new NetworkRouteManager({ ...proxyRoute, password: 'not-it' });
    const before = relay.peers.length;
    const error = await openChatConnection({ endpoint, trustRootsPem, openSocket: manager.opener }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProxyAuthError);
    expect(relay.peers.length).toBe(before);
  });

  it('a route change tears the chat WebSocket down and the next one goes through the new route', async () => {
    const manager = new NetworkRouteManager(proxyRoute);
    const connect = () => openChatConnection({ endpoint, trustRootsPem, openSocket: manager.opener });
    const notified: string[] = [];
    manager.onRouteChanged((change) => {
      notified.push(change.current.mode);
    });
    const first = await connect();
    expect((await first.request({ verb: 'GET', path: '/v1/keepalive' })).status).toBe(200);
    const otherBefore = otherProxy.connectedTargets().length;

    // Switch to the other proxy: the open WebSocket is torn down; the reconnect goes through the new one.
    await manager.setRoute({ mode: 'socks5', host: otherProxy.host, port: otherProxy.port });
    expect(notified).toEqual(['socks5']);
    await first.closed;
    const second = await connect();
    expect((await second.request({ verb: 'GET', path: '/v1/keepalive' })).status).toBe(200);
    const logged = await otherProxy.waitForConnections(otherBefore + 1);
    expect(logged.slice(otherBefore)).toContain(`localhost:${relay.port}`);

    // Switch to a dead proxy: the socket goes down and a reconnect fails closed — never a direct connection.
    const before = relay.peers.length;
    await manager.setRoute({ mode: 'socks5', host: '127.0.0.1', port: await freePort() });
    await second.closed;
    await expect(connect()).rejects.toBeInstanceOf(ProxyUnavailableError);
    expect(relay.peers.length).toBe(before);
  });
});

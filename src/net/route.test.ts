import net from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetworkError, ProxyUnavailableError, ValidationError } from '../errors.js';
import { directSocketOpener } from './direct-opener.js';
import { TOR_SOCKS_HOST, TOR_SOCKS_PORT } from '../settings/schema.js';
import { NetworkRouteManager, openerForRoute, validateRoute, type RouteChange } from './route.js';
import { freePort, PROXY_EGRESS_ADDRESS, startMicrosocks, type Microsocks } from './test-support/socks.js';

interface EchoServer {
  port: number;
  peers: string[];
  close(): Promise<void>;
}

/** A TCP echo server that records the peer address of every accepted connection. */
async function startEchoServer(): Promise<EchoServer> {
  const peers: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    peers.push(socket.remoteAddress ?? '');
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.pipe(socket);
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

async function echo(socket: Duplex, text: string): Promise<string> {
  socket.write(text);
  return new Promise((resolve, reject) => {
    socket.once('data', (data: Buffer) => resolve(data.toString('utf8')));
    socket.once('error', reject);
  });
}

function closed(socket: Duplex): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  });
}

describe('validateRoute', () => {
  it('accepts the three modes and the settings spelling "none"', () => {
    expect(validateRoute({ mode: 'direct' })).toEqual({ mode: 'direct' });
    expect(validateRoute({ mode: 'none' })).toEqual({ mode: 'direct' });
    expect(validateRoute({ mode: 'tor' })).toEqual({ mode: 'tor' });
    expect(validateRoute({ mode: 'socks5', host: ' proxy.example.org ', port: 1080 })).toEqual({
      mode: 'socks5',
      host: 'proxy.example.org',
      port: 1080,
    });
    expect(validateRoute({ mode: 'socks5', host: '[::1]', port: 9050 })).toEqual({
      mode: 'socks5',
      host: '::1',
      port: 9050,
    });
    expect(validateRoute({ mode: 'socks5', host: '10.0.0.2', port: 65535, username: 'u' })).toMatchObject({
      host: '10.0.0.2',
      username: 'u',
    });
  });

  it.each([
    ['empty host', { mode: 'socks5', host: '', port: 1080 }],
    ['host with a space', { mode: 'socks5', host: 'a b', port: 1080 }],
    ['host with a scheme', { mode: 'socks5', host: 'socks5://proxy', port: 1080 }],
    ['host with a port', { mode: 'socks5', host: 'proxy:1080', port: 1080 }],
    ['host with a path', { mode: 'socks5', host: 'proxy/x', port: 1080 }],
    ['bad IPv4', { mode: 'socks5', host: '1.2.3.999', port: 1080 }],
    ['label starting with a dash', { mode: 'socks5', host: '-proxy.org', port: 1080 }],
    ['host too long', { mode: 'socks5', host: `${'a'.repeat(60)}.`.repeat(5), port: 1080 }],
    ['host not text', { mode: 'socks5', host: 7, port: 1080 }],
    ['port 0', { mode: 'socks5', host: 'proxy', port: 0 }],
    ['port 65536', { mode: 'socks5', host: 'proxy', port: 65536 }],
    ['fractional port', { mode: 'socks5', host: 'proxy', port: 1080.5 }],
    ['port as text', { mode: 'socks5', host: 'proxy', port: '1080' }],
    ['missing port', { mode: 'socks5', host: 'proxy' }],
    ['password without username', { mode: 'socks5', host: 'proxy', port: 1080, password: 'p' }],
    ['username over 255 bytes', { mode: 'socks5', host: 'proxy', port: 1080, username: 'é'.repeat(128) }],
    ['empty username', { mode: 'socks5', host: 'proxy', port: 1080, username: '' }],
    ['Tor with credentials (the settings have no such field)', { mode: 'tor', username: 'a', password: 'x' }],
    ['unknown mode', { mode: 'http', host: 'proxy', port: 8080 }],
    ['unknown field', { mode: 'direct', host: 'proxy' }],
    ['null', null],
  ])('rejects %s with ValidationError', (_name, input) => {
    expect(() => validateRoute(input)).toThrow(ValidationError);
  });

  it('says what is wrong in the words of the settings schema', () => {
    expect(() => validateRoute({ mode: 'socks5', host: 'proxy', port: 1080, password: 'p' })).toThrow(
      'A proxy password needs a username.',
    );
  });

  it('refuses to build an opener for an invalid route', () => {
    expect(() => openerForRoute({ mode: 'socks5', host: 'bad host', port: 1 })).toThrow(ValidationError);
  });
});

describe('NetworkRouteManager with a real microsocks', () => {
  let target: EchoServer;
  let proxy: Microsocks;

  beforeAll(async () => {
    target = await startEchoServer();
    proxy = await startMicrosocks({ username: 'route-user', password: 'route-pass' });
  });
  afterAll(async () => {
    await proxy?.stop();
    await target?.close();
  });

  it('notifies subscribers, closes old-route sockets, and routes new connections through the proxy', async () => {
    const manager = new NetworkRouteManager({ mode: 'none' });
    const changes: RouteChange[] = [];
    const unsubscribe = manager.onRouteChanged((change) => {
      changes.push(change);
    });

    // Direct: the target sees this process (127.0.0.1).
    const direct = await manager.currentOpener()({ host: 'localhost', port: target.port });
    expect(await echo(direct, 'ping-direct')).toBe('ping-direct');
    expect(target.peers).toEqual(['127.0.0.1']);
    expect(manager.openSocketCount()).toBe(1);

    const socksRoute = {
      mode: 'socks5',
      host: proxy.host,
      port: proxy.port,
      username: 'route-user',
      password: 'route-pass',
    } as const;
    const change = await manager.setRoute(socksRoute);
    expect(change).not.toBeNull();
    expect(changes).toHaveLength(1);
    expect(changes[0]?.previous).toEqual({ mode: 'direct' });
    expect(changes[0]?.current).toEqual(socksRoute);
    expect(changes[0]?.generation).toBe(1);
    // The direct socket did not survive the change.
    await closed(direct);
    expect(direct.destroyed).toBe(true);

    // Same route again: no notification.
    expect(await manager.setRoute({ ...socksRoute })).toBeNull();
    expect(changes).toHaveLength(1);

    // New connections go through the proxy, which resolves the name itself.
    const proxied = await manager.opener({ host: 'localhost', port: target.port });
    expect(await echo(proxied, 'ping-proxied')).toBe('ping-proxied');
    expect(target.peers).toEqual(['127.0.0.1', PROXY_EGRESS_ADDRESS]);
    expect(await proxy.waitForConnections(1)).toEqual([`localhost:${target.port}`]);

    // Proxy becomes unreachable: fail closed, nothing reaches the target.
    await manager.setRoute({ mode: 'socks5', host: '127.0.0.1', port: await freePort() });
    await closed(proxied);
    const error = await manager.opener({ host: 'localhost', port: target.port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProxyUnavailableError);
    expect(target.peers).toHaveLength(2);
    expect(changes.map((c) => c.current.mode)).toEqual(['socks5', 'socks5']);

    // Invalid route: ValidationError, the route and subscribers are untouched.
    await expect(manager.setRoute({ mode: 'socks5', host: 'x y', port: 1 })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(changes).toHaveLength(2);
    expect(manager.currentRoute().mode).toBe('socks5');

    unsubscribe();
    await manager.setRoute({ mode: 'direct' });
    expect(changes).toHaveLength(2);
  });

  it('destroys a connection that was still being opened through the previous route', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let opened: Duplex | undefined;
    const manager = new NetworkRouteManager(
      { mode: 'direct' },
      {
        directOpener: async (t, signal) => {
          await gate;
          opened = await directSocketOpener(t, signal);
          return opened;
        },
      },
    );
    const pending = manager.opener({ host: '127.0.0.1', port: target.port }).catch((e: unknown) => e);
    await manager.setRoute({ mode: 'tor' });
    release();
    const error = await pending;
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(/route changed/);
    expect(opened?.destroyed).toBe(true);
    expect(manager.openSocketCount()).toBe(0);
  });

  it('keeps going when a listener fails', async () => {
    const manager = new NetworkRouteManager({ mode: 'direct' });
    const seen: string[] = [];
    manager.onRouteChanged(() => {
      throw new Error('listener broke');
    });
    manager.onRouteChanged(async (change) => {
      await Promise.resolve();
      seen.push(change.current.mode);
    });
    await manager.setRoute({ mode: 'tor' });
    expect(seen).toEqual(['tor']);
    expect(manager.currentRoute()).toEqual({ mode: 'tor' });
  });

  it('the Tor preset points at 127.0.0.1:9050 and fails closed when no Tor is running', async (context) => {
    const torRunning = await new Promise<boolean>((resolve) => {
      const probe = net.connect({ host: TOR_SOCKS_HOST, port: TOR_SOCKS_PORT });
      probe.once('connect', () => {
        probe.destroy();
        resolve(true);
      });
      probe.once('error', () => resolve(false));
    });
    if (torRunning) context.skip();
    const before = target.peers.length;
    const error = await openerForRoute({ mode: 'tor' })({ host: 'localhost', port: target.port }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProxyUnavailableError);
    expect((error as Error).message).toContain('127.0.0.1:9050');
    expect(target.peers.length).toBe(before);
  });
});

import dns from 'node:dns';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetworkError, ProxyAuthError, ProxyUnavailableError } from '../errors.js';
import { directSocketOpener } from './direct-opener.js';
import type { SocketOpener } from './socket-opener.js';
import { createSocksOpener } from './socks-opener.js';
import {
  freePort,
  makeSelfSignedCert,
  PROXY_EGRESS_ADDRESS,
  startCountingTlsServer,
  startMicrosocks,
  type CountingTlsServer,
  type Microsocks,
  type TestCert,
} from './test-support/socks.js';

/** HTTPS GET over whatever the opener returns, with TLS verified against the test CA. */
async function httpsGet(opener: SocketOpener, host: string, port: number, ca: string): Promise<string> {
  const raw = await opener({ host, port });
  const secure = tls.connect({ socket: raw, servername: host, ca });
  await new Promise<void>((resolve, reject) => {
    secure.once('secureConnect', resolve);
    secure.once('error', reject);
  });
  secure.write(`GET /hello HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  let text = '';
  secure.setEncoding('utf8');
  for await (const chunk of secure) text += chunk as string;
  return text;
}

describe('createSocksOpener with a real microsocks', () => {
  let cert: TestCert;
  let target: CountingTlsServer;
  let proxy: Microsocks;
  let openProxy: Microsocks;

  beforeAll(async () => {
    cert = makeSelfSignedCert();
    target = await startCountingTlsServer(cert, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('hello through the tunnel');
    });
    proxy = await startMicrosocks({ username: 'account-1', password: 's3cret' });
    openProxy = await startMicrosocks();
  });

  afterAll(async () => {
    await proxy?.stop();
    await openProxy?.stop();
    await target?.close();
  });

  it('carries HTTPS to a host name through the proxy; the target sees only the proxy; the proxy logs the name', async () => {
    const opener = createSocksOpener({
      host: proxy.host,
      port: proxy.port,
      username: 'account-1',
      password: 's3cret',
    });
    const before = target.connections.length;
    const response = await httpsGet(opener, 'localhost', target.port, cert.cert);
    expect(response).toMatch(/^HTTP\/1\.1 200/);
    expect(response).toContain('hello through the tunnel');
    const seen = target.connections.slice(before);
    expect(seen).toHaveLength(1);
    expect(seen.every((address) => address.endsWith(PROXY_EGRESS_ADDRESS))).toBe(true);
    // Remote DNS: microsocks received the *name* and resolved it itself.
    const logged = await proxy.waitForConnections(1);
    expect(logged).toContain(`localhost:${target.port}`);
  });

  it('never resolves the target name on this machine (dns.lookup is not called for it)', async () => {
    const looked: string[] = [];
    const original = dns.lookup;
    const spy = function (this: unknown, hostname: string, ...rest: unknown[]): unknown {
      looked.push(hostname);
      return (original as (...args: unknown[]) => unknown).call(this, hostname, ...rest);
    };
    (dns as { lookup: unknown }).lookup = spy;
    try {
      const opener = createSocksOpener({
        host: proxy.host,
        port: proxy.port,
        username: 'account-1',
        password: 's3cret',
      });
      const response = await httpsGet(opener, 'localhost', target.port, cert.cert);
      expect(response).toContain('hello through the tunnel');
      expect(looked).toEqual([]);
      // Control: the spy does see lookups, e.g. from a direct connection by name.
      const direct = await directSocketOpener({ host: 'localhost', port: target.port });
      direct.destroy();
      expect(looked).toContain('localhost');
    } finally {
      (dns as { lookup: unknown }).lookup = original;
    }
  });

  it('works without credentials on an open proxy, also logging the name', async () => {
    const opener = createSocksOpener({ host: openProxy.host, port: openProxy.port });
    const before = target.connections.length;
    const response = await httpsGet(opener, 'localhost', target.port, cert.cert);
    expect(response).toContain('hello through the tunnel');
    expect(target.connections.slice(before)).toEqual([expect.stringContaining(PROXY_EGRESS_ADDRESS)]);
    expect(await openProxy.waitForConnections(1)).toContain(`localhost:${target.port}`);
  });

  it('fails closed with ProxyUnavailableError when the proxy is down, and the target sees zero connections', async () => {
    const closedPort = await freePort();
    const opener = createSocksOpener({ host: '127.0.0.1', port: closedPort, username: 'a', password: 'b' });
    const before = target.connections.length;
    const error = await opener({ host: 'localhost', port: target.port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProxyUnavailableError);
    expect((error as Error).message).toContain(`127.0.0.1:${closedPort}`);
    expect((error as Error).message).toMatch(/not reachable/);
    expect(target.connections.length).toBe(before);
  });

  it('rejects wrong credentials with ProxyAuthError and no connection reaches the target', async () => {
    const opener = createSocksOpener({
      host: proxy.host,
      port: proxy.port,
      username: 'account-1',
      password: 'wrong',
    });
    const before = target.connections.length;
    const loggedBefore = proxy.connectedTargets().length;
    const error = await opener({ host: 'localhost', port: target.port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProxyAuthError);
    expect((error as Error).message).toMatch(/rejected the username or password/);
    expect((error as Error).message).not.toContain('wrong');
    expect(target.connections.length).toBe(before);
    expect(proxy.connectedTargets().length).toBe(loggedBefore);
  });

  it('reports ProxyAuthError when the proxy demands credentials and none are set', async () => {
    const opener = createSocksOpener({ host: proxy.host, port: proxy.port });
    const before = target.connections.length;
    const error = await opener({ host: 'localhost', port: target.port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProxyAuthError);
    expect((error as Error).message).toMatch(/requires a username and password/);
    expect(target.connections.length).toBe(before);
  });

  it('reports NetworkError (not a proxy error) when the proxy cannot reach the target', async () => {
    const closedPort = await freePort();
    const opener = createSocksOpener({ host: openProxy.host, port: openProxy.port });
    const error = await opener({ host: 'localhost', port: closedPort }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toContain(`localhost:${closedPort}`);
  });

  it('reports NetworkError when the proxy cannot resolve the name (resolution happens at the proxy)', async () => {
    const opener = createSocksOpener({ host: openProxy.host, port: openProxy.port });
    const error = await opener({ host: 'no-such-host.invalid', port: 443 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toContain('could not be resolved by the proxy');
  });

  it('fails closed with ProxyUnavailableError when the "proxy" accepts TCP but never answers', async () => {
    const silent = net.createServer(() => {
      /* accept and say nothing */
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const opener = createSocksOpener({ host: '127.0.0.1', port, timeoutMs: 300 });
      const before = target.connections.length;
      const error = await opener({ host: 'localhost', port: target.port }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProxyUnavailableError);
      expect((error as Error).message).toMatch(/in time/);
      expect(target.connections.length).toBe(before);
    } finally {
      silent.close();
    }
  });

  it('honours an AbortSignal without connecting anywhere', async () => {
    const opener = createSocksOpener({ host: openProxy.host, port: openProxy.port });
    const controller = new AbortController();
    controller.abort(new Error('user cancelled'));
    const before = target.connections.length;
    const error = await opener({ host: 'localhost', port: target.port }, controller.signal).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe('user cancelled');
    expect(target.connections.length).toBe(before);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetworkError } from '../errors.js';
import { parseClientConfig } from '../net/config.js';
import { directSocketOpener } from '../net/direct-opener.js';
import { openTls } from '../net/tls.js';
import { startDemoNetwork, type DemoNetwork } from './network.js';

describe('demo network', () => {
  let network: DemoNetwork;
  beforeAll(async () => {
    network = await startDemoNetwork();
  });
  afterAll(async () => {
    await network.close();
  });

  it('serves TLS + h2 on loopback, trusted only through the config CA', async () => {
    const { config } = network;
    expect(config.mode).toBe('demo');
    expect(config.chat.host).toBe('127.0.0.1');
    expect(config.chat.port).toBeGreaterThan(0);
    // The config survives a JSON round trip (it is written to disk by the CLI).
    expect(parseClientConfig(JSON.parse(JSON.stringify(config)))).toEqual(config);
    const socket = await openTls({
      endpoint: config.chat,
      trustRootsPem: config.tlsTrustRootsPem,
      openSocket: directSocketOpener,
    });
    expect(socket.alpnProtocol).toBe('h2');
    socket.destroy();
  });

  it('creates named simulated contacts', async () => {
    const alice = await network.createContact('Alice');
    const echo = await network.createContact('Echo', { echo: true });
    expect(alice.aci).not.toBe(echo.aci);
    expect(alice.name).toBe('Alice');
    const found = await network.server.getDeviceByServiceId(echo.aci as never);
    expect(found?.aci).toBe(echo.aci);
  });

  it('closes cleanly even with an open HTTP/2 session, and only once', async () => {
    const other = await startDemoNetwork();
    const socket = await openTls({
      endpoint: other.config.chat,
      trustRootsPem: other.config.tlsTrustRootsPem,
      openSocket: directSocketOpener,
    });
    await other.close();
    await other.close();
    socket.destroy();
    await expect(
      openTls({
        endpoint: other.config.chat,
        trustRootsPem: other.config.tlsTrustRootsPem,
        openSocket: directSocketOpener,
      }),
    ).rejects.toBeInstanceOf(NetworkError);
  });
});

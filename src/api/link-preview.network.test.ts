/**
 * linkPreview.fetch end to end through the core service: refused (nothing fetched) while the setting is
 * off; on the direct route the core resolves the name itself (with the injected resolver); through a SOCKS5 proxy (real microsocks) the proxy resolves it and no lookup happens
 * here; every failure is the same LINK_PREVIEW message.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import type { Resolver } from '../net/link-preview-route.js';
import {
  makeSelfSignedCert,
  startCountingTlsServer,
  startMicrosocks,
  type CountingTlsServer,
  type Microsocks,
  type TestCert,
} from '../net/test-support/socks.js';
import { createTestProfile, TEST_KDF, type TestProfile } from '../test-support/vault.js';
import { Vault } from '../vault/index.js';
import { createCoreService, type CoreService } from './service.js';
import { value } from './test-support/events.js';

const PASS = 'preview test passphrase 77';
// A valid 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

describe('linkPreview.fetch through the core service', () => {
  let network: DemoNetwork;
  let proxy: Microsocks;
  let cert: TestCert;
  let site: CountingTlsServer;
  let profile: TestProfile;
  let service: CoreService;
  const lookups: string[] = [];
  const resolve: Resolver = (hostname) => {
    lookups.push(hostname);
    return Promise.resolve(hostname === 'localhost' ? [{ address: '127.0.0.1' }] : []);
  };

  beforeAll(async () => {
    network = await startDemoNetwork();
    proxy = await startMicrosocks();
    cert = makeSelfSignedCert('localhost');
    site = await startCountingTlsServer(cert, (req, res) => {
      if (req.url === '/card.png') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(PNG);
        return;
      }
      if (req.url === '/slow') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<html><head>');
        return; // never finishes: only a cancellation ends this preview early
      }
      if (req.url !== '/article') {
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<title>Not found</title>');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        '<html><head><meta property="og:title" content="A page"><meta name="description" content="About it">' +
          '<meta property="og:image" content="/card.png"></head><body></body></html>',
      );
    });
    profile = createTestProfile();
    service = createCoreService({
      profileDir: profile.dir,
      networkConfig: network.config,
      vault: { kdf: TEST_KDF },
      linkPreviews: { trustStore: cert.cert, resolve, allowLocalHosts: true },
    });
    await value(service.call('vault.create', { passphrase: PASS }));
  });

  afterAll(async () => {
    await service?.close();
    await site?.close();
    await proxy?.stop();
    await network?.close();
    profile?.dispose();
  });

  beforeEach(() => {
    lookups.length = 0;
  });

  it('is refused while the setting is off (the default), with nothing resolved or fetched', async () => {
    const result = await service.call('linkPreview.fetch', { url: `https://localhost:${site.port}/article` });
    expect(result).toMatchObject({ ok: false, error: { code: 'PRECONDITION' } });
    expect(lookups).toEqual([]);
    expect(site.connections).toEqual([]);
  });

  it('on the direct route: resolves the name here and returns title, description and image bytes', async () => {
    await value(service.call('settings.update', { patch: { linkPreviews: true } }));
    const typed = `https://localhost:${site.port}/article`;
    const preview = await value(service.call('linkPreview.fetch', { url: typed }));
    expect(preview).toEqual({
      url: typed,
      title: 'A page',
      description: 'About it',
      image: { dataBase64: PNG.toString('base64'), contentType: 'image/png' },
    });
    expect(lookups).toEqual(['localhost', 'localhost']);
    expect(site.requests.map((r) => r.headers.host)).toEqual([
      `localhost:${site.port}`,
      `localhost:${site.port}`,
    ]);
  });

  it('says the same thing whatever failed (no probing of names, ports or statuses)', async () => {
    const messages = new Set<string>();
    for (const url of [
      `https://localhost:${site.port}/missing`, // HTTP 404
      `https://unknown.test:${site.port}/`, // no address
      'https://localhost:1/', // closed port
      'https://user:pw@localhost/', // refused before any connection
    ]) {
      const result = await service.call('linkPreview.fetch', { url });
      expect(result).toMatchObject({ ok: false, error: { code: 'LINK_PREVIEW' } });
      if (!result.ok) messages.add(result.error.message);
    }
    expect(messages.size).toBe(1);
  });

  it('a newer preview cancels the one still running (the composer only wants the latest link)', async () => {
    const started = Date.now();
    const slow = service.call('linkPreview.fetch', { url: `https://localhost:${site.port}/slow` });
    await expect.poll(() => site.requests.some((r) => r.url === '/slow')).toBe(true);
    const latest = await value(
      service.call('linkPreview.fetch', { url: `https://localhost:${site.port}/article` }),
    );
    expect(latest.title).toBe('A page');
    expect(await slow).toMatchObject({ ok: false, error: { code: 'LINK_PREVIEW' } });
    expect(Date.now() - started).toBeLessThan(5_000); // not the 10 s preview timeout
  });

  it('through a SOCKS5 proxy: the proxy resolves the name, nothing is looked up here', async () => {
    await value(
      service.call('settings.update', {
        patch: { proxy: { mode: 'socks5', host: proxy.host, port: proxy.port } },
      }),
    );
    const typed = `https://localhost:${site.port}/article`;
    const preview = await value(service.call('linkPreview.fetch', { url: typed }));
    expect(preview.title).toBe('A page');
    expect(lookups).toEqual([]);
    expect(await proxy.waitForConnections(2)).toContain(`localhost:${site.port}`);
  });

  it('an unreadable stored proxy setting is not "direct": refused with no local lookup and no connection', async () => {
    await value(service.call('vault.lock', {}));
    const vault = new Vault(profile.dir, { kdf: TEST_KDF });
    await vault.unlock(Buffer.from(PASS, 'utf8'));
    // A row a looser build could have saved: a password without a username (refused by today's schema).
    vault.db
      .prepare("UPDATE settings SET value = ? WHERE key = 'proxy'")
      .run(JSON.stringify({ mode: 'socks5', host: '127.0.0.1', port: 9, password: 'secret' }));
    vault.lock('user');
    await value(service.call('vault.unlock', { passphrase: PASS }));
    const connectionsBefore = site.connections.length;
    const result = await service.call('linkPreview.fetch', { url: `https://localhost:${site.port}/article` });
    expect(result).toMatchObject({ ok: false, error: { code: 'LINK_PREVIEW' } });
    expect(lookups).toEqual([]);
    expect(site.connections.length).toBe(connectionsBefore);
  });
});

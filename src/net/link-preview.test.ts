import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TLSSocket } from 'node:tls';
import { LinkPreviewError, type LinkPreviewFailure } from '../errors.js';
import { fetchLinkPreview, type LinkPreviewOptions } from './link-preview.js';
import type { PreviewRoutes, Resolver } from './link-preview-route.js';
import { LinkPreviewService } from './link-preview-service.js';
import { DIRECT_ROUTE, NetworkRouteManager } from './route.js';
import { directSocketOpener } from './direct-opener.js';
import { createSocksOpener } from './socks-opener.js';
import type { SocketOpener } from './socket-opener.js';
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

// A valid 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

function page(head: string): string {
  return `<!doctype html><html><head><meta charset="utf-8">${head}</head><body><p>body text</p></body></html>`;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected a failure'),
    (error: unknown) => error,
  );
}

const GENERIC_MESSAGE = new LinkPreviewError('unreachable').message;

/** The reason is only for logs and tests: every failure shows the same message, whatever happened. */
function previewRoutesOf(manager: NetworkRouteManager): PreviewRoutes {
  return { opener: manager.opener, isDirect: () => manager.currentRoute().mode === 'direct' };
}

function expectPreviewError(error: unknown, reason: LinkPreviewFailure): void {
  expect(error).toBeInstanceOf(LinkPreviewError);
  expect((error as LinkPreviewError).reason).toBe(reason);
  expect((error as LinkPreviewError).message).toBe(GENERIC_MESSAGE);
}

describe('link previews through a real microsocks', () => {
  let cert: TestCert;
  let site: CountingTlsServer;
  let proxy: Microsocks;
  let opener: SocketOpener;
  let base: string;
  let options: LinkPreviewOptions;

  beforeAll(async () => {
    cert = makeSelfSignedCert();
    site = await startCountingTlsServer(cert, (req, res) => {
      const path = req.url ?? '/';
      const html = (status: number, body: string, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
        res.end(body);
      };
      switch (path) {
        case '/article':
          html(
            200,
            page(
              '<title>Fallback title</title>' +
                '<meta property="og:title" content="Carapace &amp; the &#x1F980; &lt;3">' +
                "<meta property='og:description' content='Private\u202e messaging,\n   made &quot;simple&quot;.'>" +
                '<meta property="og:image" content="/img/card.png">',
            ),
            { 'set-cookie': 'tracker=abc123; Path=/; Secure' },
          );
          return;
        case '/img/card.png':
          res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(PNG.length) });
          res.end(PNG);
          return;
        case '/title-only':
          html(200, page('<title>  Just a   title </title>'));
          return;
        case '/fake-image':
          html(
            200,
            page(
              '<meta property="og:title" content="Fake image"><meta property="og:image" content="/evil.png">',
            ),
          );
          return;
        case '/evil.png':
          res.writeHead(200, { 'content-type': 'image/png' });
          res.end('<svg onload="alert(1)"></svg>');
          return;
        case '/svg-image':
          html(
            200,
            page('<meta property="og:title" content="SVG"><meta property="og:image" content="/x.svg">'),
          );
          return;
        case '/x.svg':
          res.writeHead(200, { 'content-type': 'image/svg+xml' });
          res.end('<svg xmlns="http://www.w3.org/2000/svg"/>');
          return;
        case '/huge-streamed':
          res.writeHead(200, { 'content-type': 'text/html' });
          res.write('<html><head><title>big</title>');
          res.end(Buffer.alloc(2 * 1024 * 1024, 0x61));
          return;
        case '/huge-declared':
          res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(2 * 1024 * 1024) });
          res.end(Buffer.alloc(2 * 1024 * 1024, 0x61));
          return;
        case '/redirect-to-article':
          res.writeHead(302, { location: '/article' });
          res.end();
          return;
        case '/redirect-to-http':
          res.writeHead(301, { location: `http://localhost:${site.port}/article` });
          res.end();
          return;
        case '/redirect-loop':
          res.writeHead(307, { location: '/redirect-loop' });
          res.end();
          return;
        case '/json':
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"title":"no"}');
          return;
        case '/no-title':
          html(200, page('<meta name="viewport" content="width=device-width">'));
          return;
        case '/gzip':
          res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
          res.end(Buffer.from([0x1f, 0x8b]));
          return;
        case '/head-then-hang':
          res.writeHead(200, { 'content-type': 'text/html; charset=windows-1252' });
          res.write(Buffer.from('<html><HEAD><title>caf\u00e9 \x93hanging\x94</title></HEAD >', 'latin1'));
          return; // never finishes: reading must stop at </head>
        case '/body-then-hang':
          res.writeHead(200, { 'content-type': 'text/html' });
          res.write('<meta property="og:title" content="No head end"><body><p>');
          return; // never finishes: reading must stop at <body>
        case '/slow':
          res.writeHead(200, { 'content-type': 'text/html' });
          res.write('<html><head>');
          return; // never finishes
        default:
          html(404, page('<title>Not found</title>'));
      }
    });
    proxy = await startMicrosocks({ username: 'previews', password: 'pw-for-previews' });
    opener = createSocksOpener({
      host: proxy.host,
      port: proxy.port,
      username: 'previews',
      password: 'pw-for-previews',
    });
    base = `https://localhost:${site.port}`;
    options = { opener, trustStore: cert.cert, allowLocalHosts: true };
  });

  afterAll(async () => {
    await proxy?.stop();
    await site?.close();
  });

  let connectionsBefore = 0;
  let requestsBefore = 0;
  beforeEach(() => {
    connectionsBefore = site.connections.length;
    requestsBefore = site.requests.length;
  });
  const newConnections = (): string[] => site.connections.slice(connectionsBefore);
  const newRequests = (): typeof site.requests => site.requests.slice(requestsBefore);

  it('fetches title, description and image bytes through the proxy, leaking no cookie, referrer or UA', async () => {
    const preview = await fetchLinkPreview(`${base}/article#section`, options);
    expect(preview).toEqual({
      url: `${base}/article`,
      title: 'Carapace & the \u{1F980} <3',
      description: 'Private messaging, made "simple".',
      image: { contentType: 'image/png', data: new Uint8Array(PNG) },
    });
    // Both requests (page, then image) reached the site only from the proxy.
    expect(newConnections()).toHaveLength(2);
    expect(newConnections().every((address) => address.endsWith(PROXY_EGRESS_ADDRESS))).toBe(true);
    expect(newRequests().map((r) => r.url)).toEqual(['/article', '/img/card.png']);
    for (const request of newRequests()) {
      expect(request.method).toBe('GET');
      expect(request.headers.cookie).toBeUndefined();
      expect(request.headers.referer).toBeUndefined();
      expect(request.headers.origin).toBeUndefined();
      // Tor Browser's (shared by many users), not one naming Carapace, Node or this OS.
      expect(request.headers['user-agent']).toMatch(
        /^Mozilla\/5\.0 \(Windows NT 10\.0; rv:\d+\.0\) Gecko\/20100101 Firefox\/\d+\.0$/,
      );
      expect(request.headers['user-agent']).not.toMatch(/carapace|node|electron|linux/i);
      expect(request.headers.host).toBe(`localhost:${site.port}`);
    }
    expect(newRequests()[0]?.headers.accept).toMatch(/^text\/html/);
    // The proxy resolved the name (remote DNS) and logged both connections.
    const logged = await proxy.waitForConnections(2);
    expect(logged.filter((line) => line === `localhost:${site.port}`).length).toBeGreaterThanOrEqual(2);
  });

  it('falls back to <title> and works without an image', async () => {
    const preview = await fetchLinkPreview(`${base}/title-only`, options);
    expect(preview).toEqual({ url: `${base}/title-only`, title: 'Just a title' });
  });

  it('follows an https redirect (re-checked) and reports the typed link', async () => {
    const preview = await fetchLinkPreview(`${base}/redirect-to-article`, { ...options, fetchImage: false });
    expect(preview.title).toBe('Carapace & the \u{1F980} <3');
    expect(preview.url).toBe(`${base}/redirect-to-article`);
    expect(newRequests().map((r) => r.url)).toEqual(['/redirect-to-article', '/article']);
    expect(newRequests()[1]?.headers.referer).toBeUndefined();
    expect(newRequests()[1]?.headers.cookie).toBeUndefined();
  });

  it('refuses a redirect to http and never fetches it', async () => {
    expectPreviewError(await failure(fetchLinkPreview(`${base}/redirect-to-http`, options)), 'not-https');
    expect(newRequests().map((r) => r.url)).toEqual(['/redirect-to-http']);
  });

  it('stops after 3 redirects', async () => {
    expectPreviewError(
      await failure(fetchLinkPreview(`${base}/redirect-loop`, options)),
      'too-many-redirects',
    );
    expect(newRequests()).toHaveLength(4);
  });

  it('refuses non-https links without any connection', async () => {
    for (const url of [
      `http://localhost:${site.port}/article`,
      'ftp://example.org/x',
      'javascript:alert(1)',
    ]) {
      expectPreviewError(await failure(fetchLinkPreview(url, options)), 'not-https');
    }
    expectPreviewError(await failure(fetchLinkPreview('not a url', options)), 'invalid-url');
    expect(newConnections()).toHaveLength(0);
  });

  it('refuses local and credential-carrying links by default, without any connection', async () => {
    const strict = { opener, trustStore: cert.cert };
    for (const url of [
      `${base}/article`,
      'https://127.0.0.1/',
      'https://192.168.1.1/',
      'https://10.1.2.3/',
      'https://[::1]/',
      'https://[::ffff:192.168.0.1]/',
      'https://[::127.0.0.1]/', // v4-compatible
      'https://[64:ff9b::127.0.0.1]/', // NAT64
      'https://[64:ff9b:1::a00:1]/', // local-use NAT64
      'https://[fe80::1]/',
      'https://[fd00::1]/',
      'https://0.0.0.0/',
      'https://100.64.0.1/',
      'https://169.254.169.254/',
      'https://224.0.0.1/',
      'https://255.255.255.255/',
      'https://2130706433/', // 127.0.0.1 as one number (the URL parser normalises it)
      'https://router.localhost/',
      'https://user:secret@example.org/',
    ]) {
      expectPreviewError(await failure(fetchLinkPreview(url, strict)), 'blocked-host');
    }
    expect(newConnections()).toHaveLength(0);
  });

  it('enforces the size limit, streamed or declared', async () => {
    expectPreviewError(await failure(fetchLinkPreview(`${base}/huge-streamed`, options)), 'too-large');
    expectPreviewError(await failure(fetchLinkPreview(`${base}/huge-declared`, options)), 'too-large');
  });

  it('stops reading at </head> or <body> (parsed as it streams in, in the declared charset)', async () => {
    const quick = { ...options, limits: { timeoutMs: 3000 } };
    expect((await fetchLinkPreview(`${base}/head-then-hang`, quick)).title).toBe(
      'caf\u00e9 \u201changing\u201d',
    );
    expect((await fetchLinkPreview(`${base}/body-then-hang`, quick)).title).toBe('No head end');
  });

  it('refuses content that is not a web page, compressed bodies, error statuses and pages with no title', async () => {
    expectPreviewError(await failure(fetchLinkPreview(`${base}/json`, options)), 'not-html');
    expectPreviewError(await failure(fetchLinkPreview(`${base}/gzip`, options)), 'not-html');
    expectPreviewError(await failure(fetchLinkPreview(`${base}/missing`, options)), 'http-status');
    expectPreviewError(await failure(fetchLinkPreview(`${base}/no-title`, options)), 'no-metadata');
  });

  it('drops an image whose bytes are not an allowed image type (SVG, disguised HTML)', async () => {
    const fake = await fetchLinkPreview(`${base}/fake-image`, options);
    expect(fake).toEqual({ url: `${base}/fake-image`, title: 'Fake image' });
    const svg = await fetchLinkPreview(`${base}/svg-image`, options);
    expect(svg).toEqual({ url: `${base}/svg-image`, title: 'SVG' });
  });

  it('times out with a typed error', async () => {
    const error = await failure(fetchLinkPreview(`${base}/slow`, { ...options, limits: { timeoutMs: 300 } }));
    expectPreviewError(error, 'timeout');
  });

  it('verifies TLS: a certificate outside the trust store fails (the one generic error)', async () => {
    const other = makeSelfSignedCert();
    const error = await failure(fetchLinkPreview(`${base}/article`, { ...options, trustStore: other.cert }));
    expectPreviewError(error, 'tls');
    const systemOnly = await failure(fetchLinkPreview(`${base}/article`, { opener, allowLocalHosts: true }));
    expectPreviewError(systemOnly, 'tls');
    expect(newRequests()).toHaveLength(0);
  });

  it('fails closed when the proxy is down: the generic error and zero connections at the site', async () => {
    const down = createSocksOpener({ host: '127.0.0.1', port: await freePort() });
    const error = await failure(fetchLinkPreview(`${base}/article`, { ...options, opener: down }));
    expectPreviewError(error, 'unreachable');
    expect(newConnections()).toHaveLength(0);
  });

  it('LinkPreviewService: previews off (the default) makes no request at all', async () => {
    const routes = new NetworkRouteManager({
      mode: 'socks5',
      host: proxy.host,
      port: proxy.port,
      username: 'previews',
      password: 'pw-for-previews',
    });
    const service = new LinkPreviewService({
      routes: previewRoutesOf(routes),
      trustStore: cert.cert,
      allowLocalHosts: true,
    });
    const loggedBefore = proxy.connectedTargets().length;
    for (const url of [`${base}/article`, `${base}/title-only`, 'https://example.org/']) {
      expect(await service.preview(url, { linkPreviews: false })).toBeNull();
    }
    expect(newConnections()).toHaveLength(0);
    expect(newRequests()).toHaveLength(0);
    expect(proxy.connectedTargets().length).toBe(loggedBefore);

    const preview = await service.preview(`${base}/title-only`, { linkPreviews: true });
    expect(preview?.title).toBe('Just a title');
    expect(newRequests().map((r) => r.url)).toEqual(['/title-only']);
  });
});

describe('link previews on the direct route: the name is resolved once and every address checked', () => {
  // A stand-in for a public address: the injected direct opener sends it to the local test site, so the
  // site is reachable only through a name that resolved to a checked, public-looking address.
  const PUBLIC_ADDRESS = '93.184.216.34';
  let cert: TestCert;
  let site: CountingTlsServer;
  let base: string;
  let opened: string[];
  let lookups: string[];
  let answers: Record<string, readonly string[]>;
  let routes: NetworkRouteManager;
  const servernames: Array<string | false | null> = [];
  const resolve: Resolver = (hostname) => {
    lookups.push(hostname);
    const addresses = answers[hostname];
    return addresses === undefined
      ? Promise.reject(new Error(`ENOTFOUND ${hostname}`))
      : Promise.resolve(addresses.map((address) => ({ address })));
  };

  beforeAll(async () => {
    cert = makeSelfSignedCert('public.test');
    site = await startCountingTlsServer(cert, (req, res) => {
      servernames.push((req.socket as TLSSocket).servername);
      if (req.url === '/redirect-inside') {
        res.writeHead(302, { location: `https://inside.test:${site.port}/article` });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(page('<title>Public page</title>'));
    });
    base = `https://public.test:${site.port}`;
    const directOpener: SocketOpener = (target, signal) => {
      opened.push(target.host);
      const host = target.host === PUBLIC_ADDRESS ? '127.0.0.1' : target.host;
      return directSocketOpener({ host, port: target.port }, signal);
    };
    routes = new NetworkRouteManager(DIRECT_ROUTE, { directOpener });
  });

  afterAll(async () => {
    await site?.close();
  });

  beforeEach(() => {
    opened = [];
    lookups = [];
    answers = { 'public.test': [PUBLIC_ADDRESS] };
  });

  const preview = (url: string): Promise<unknown> =>
    new LinkPreviewService({ routes: previewRoutesOf(routes), resolve, trustStore: cert.cert }).preview(url, {
      linkPreviews: true,
    });

  it('connects to the checked address, with the name as SNI and Host, after exactly one lookup', async () => {
    expect(await preview(`${base}/article`)).toEqual({ url: `${base}/article`, title: 'Public page' });
    expect(lookups).toEqual(['public.test']);
    expect(opened).toEqual([PUBLIC_ADDRESS]);
    expect(site.requests.at(-1)?.headers.host).toBe(`public.test:${site.port}`);
    expect(servernames.at(-1)).toBe('public.test');
  });

  it('refuses a name resolving to a blocked address (any of its addresses), with zero connections', async () => {
    const connectionsBefore = site.connections.length;
    for (const addresses of [
      ['127.0.0.1'],
      [PUBLIC_ADDRESS, '127.0.0.1'],
      ['192.168.1.10'],
      ['::1'],
      ['::ffff:127.0.0.1'],
      ['::127.0.0.1'],
      ['64:ff9b::7f00:1'],
      ['fe80::1'],
    ]) {
      answers = { 'public.test': addresses };
      expectPreviewError(await failure(preview(`${base}/article`)), 'blocked-host');
    }
    expect(opened).toEqual([]);
    expect(site.connections.length).toBe(connectionsBefore);
  });

  it('re-checks every redirect hop: a redirect to a name resolving to 127.0.0.1 is never followed', async () => {
    answers = { 'public.test': [PUBLIC_ADDRESS], 'inside.test': ['127.0.0.1'] };
    const requestsBefore = site.requests.length;
    expectPreviewError(await failure(preview(`${base}/redirect-inside`)), 'blocked-host');
    expect(lookups).toEqual(['public.test', 'inside.test']);
    expect(opened).toEqual([PUBLIC_ADDRESS]);
    expect(site.requests.slice(requestsBefore).map((r) => r.url)).toEqual(['/redirect-inside']);
  });

  it('an unknown name fails with the same generic error as everything else', async () => {
    expectPreviewError(await failure(preview(`https://nowhere.test:${site.port}/`)), 'unreachable');
    expect(opened).toEqual([]);
  });

  it('a closed port fails with the same generic error (no port probing through messages)', async () => {
    answers = { 'public.test': [PUBLIC_ADDRESS] };
    const error = await failure(preview(`https://public.test:${await freePort()}/`));
    expectPreviewError(error, 'unreachable');
  });
});

import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentTypeFor, resolveAppPath, serveAppRequest } from './app-protocol.js';
import { CONTENT_SECURITY_POLICY } from './csp.js';

describe('resolveAppPath', () => {
  const root = path.resolve('/srv/carapace/dist/renderer');

  it('maps app://carapace/ paths to files inside the root', () => {
    expect(resolveAppPath('app://carapace/index.html', root)).toEqual({
      ok: true,
      filePath: path.join(root, 'index.html'),
    });
    expect(resolveAppPath('app://carapace/assets/index-abc123.js?v=1#x', root)).toEqual({
      ok: true,
      filePath: path.join(root, 'assets', 'index-abc123.js'),
    });
    expect(resolveAppPath('app://carapace/', root)).toEqual({
      ok: true,
      filePath: path.join(root, 'index.html'),
    });
    expect(resolveAppPath('app://carapace', root)).toEqual({
      ok: true,
      filePath: path.join(root, 'index.html'),
    });
    expect(resolveAppPath('app://carapace/fonts/Inter%20Var.woff2', root)).toEqual({
      ok: true,
      filePath: path.join(root, 'fonts', 'Inter Var.woff2'),
    });
  });

  it('refuses dot segments even though the URL parser would fold them', () => {
    for (const url of [
      'app://carapace/../../etc/passwd',
      'app://carapace/a/../../../etc/passwd',
      'app://carapace/./index.html',
      'app://carapace/assets/..',
    ]) {
      expect(resolveAppPath(url, root).ok, url).toBe(false);
    }
  });

  it('refuses encoded traversal, encoded separators and NUL bytes', () => {
    const bad = [
      'app://carapace/%2e%2e/%2e%2e/etc/passwd',
      'app://carapace/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
      'app://carapace/assets/..%2f..%2fsecret',
      'app://carapace/..%5c..%5cwindows%5cwin.ini',
      'app://carapace/index.html%00.png',
      'app://carapace/%252e%252e/secret',
      'app://carapace/%E0%A4%A',
    ];
    for (const url of bad) {
      const result = resolveAppPath(url, root);
      // %252e decodes to the literal "%2e" — a harmless name inside the root; everything else is refused.
      if (url.includes('%252e')) {
        if (result.ok) expect(result.filePath.startsWith(root + path.sep)).toBe(true);
      } else {
        expect(result.ok, url).toBe(false);
      }
    }
  });

  it('refuses absolute paths, drive letters, backslashes, other hosts, other schemes and credentials', () => {
    const bad = [
      '/etc/passwd',
      'file:///etc/passwd',
      'app://evil/index.html',
      'app://carapace.evil/index.html',
      'app://user:pw@carapace/index.html',
      'https://carapace/index.html',
      'app://carapace/C:/Windows/win.ini',
      'app://carapace/a\\..\\..\\secret',
      'not a url',
      `app://carapace/${'a'.repeat(3000)}`,
    ];
    for (const url of bad) expect(resolveAppPath(url, root).ok, url).toBe(false);
  });

  it('knows the content types of the built renderer', () => {
    expect(contentTypeFor('/x/index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('/x/a.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('/x/a.css')).toBe('text/css; charset=utf-8');
    expect(contentTypeFor('/x/a.bin')).toBe('application/octet-stream');
  });
});

describe('serveAppRequest', () => {
  let base: string;
  let root: string;

  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'carapace-proto-'));
    root = path.join(base, 'renderer');
    await mkdir(path.join(root, 'assets'), { recursive: true });
    await writeFile(path.join(root, 'index.html'), '<!doctype html><title>Carapace</title>');
    await writeFile(path.join(root, 'assets', 'app.js'), 'export {};');
    await writeFile(path.join(base, 'secret.txt'), 'do not serve');
    await symlink(path.join(base, 'secret.txt'), path.join(root, 'assets', 'link.txt'));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('serves files with the CSP and nosniff on the response', async () => {
    const response = await serveAppRequest({ url: 'app://carapace/', method: 'GET' }, root);
    expect(response.status).toBe(200);
    expect(response.body?.toString()).toContain('<title>Carapace</title>');
    expect(response.headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers['X-Content-Type-Options']).toBe('nosniff');
    expect(response.headers['Content-Type']).toBe('text/html; charset=utf-8');
    const js = await serveAppRequest({ url: 'app://carapace/assets/app.js', method: 'GET' }, root);
    expect(js.status).toBe(200);
    expect(js.headers['Content-Type']).toBe('text/javascript; charset=utf-8');
  });

  it('answers 404 with the CSP for missing files, directories, traversal and symlinks that lead outside', async () => {
    for (const url of [
      'app://carapace/missing.js',
      'app://carapace/assets',
      'app://carapace/%2e%2e/secret.txt',
      'app://carapace/assets/link.txt',
    ]) {
      const response = await serveAppRequest({ url, method: 'GET' }, root);
      expect(response.status, url).toBe(404);
      expect(response.body, url).toBeNull();
      expect(response.headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('serves only GET and HEAD', async () => {
    expect((await serveAppRequest({ url: 'app://carapace/', method: 'POST' }, root)).status).toBe(405);
    const head = await serveAppRequest({ url: 'app://carapace/', method: 'HEAD' }, root);
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
  });
});

describe('CONTENT_SECURITY_POLICY', () => {
  it('is the strict policy: no network, only our own scripts and styles, media only from blobs', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; media-src blob:; " +
        "font-src 'self'; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
  });
});

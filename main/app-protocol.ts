/**
 * The app:// protocol's file mapping, as plain functions (no electron import). Only files inside the built
 * renderer directory (dist/renderer) can be served; anything else — `..` segments, percent-encoded
 * traversal, backslashes, NUL bytes, absolute paths, other hosts, symlinks pointing outside — is refused.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { APP_HOST, APP_SCHEME, parseUrl } from './app-origin.js';
import { securityHeaders } from './csp.js';

export type AppPathResult =
  { readonly ok: true; readonly filePath: string } | { readonly ok: false; readonly reason: string };

const MAX_URL_LENGTH = 2048;

/**
 * Maps an app:// request URL to an absolute file path inside `rootDir`, or refuses it. Purely lexical: the
 * caller (`serveAppRequest`) also resolves symlinks before reading.
 */
export function resolveAppPath(requestUrl: string, rootDir: string): AppPathResult {
  if (requestUrl.length > MAX_URL_LENGTH) return { ok: false, reason: 'url too long' };
  const url = parseUrl(requestUrl);
  if (url === undefined) return { ok: false, reason: 'not a url' };
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST)
    return { ok: false, reason: 'foreign origin' };
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'credentials in url' };

  // Look at the raw request too: the URL parser silently folds `..` and `%2e%2e` segments, which would
  // hide a traversal attempt. An encoded separator or dot, or a dot segment, is never legitimate in our
  // asset URLs, so it is refused rather than interpreted.
  const rawPath = requestUrl.split(/[?#]/, 1)[0] ?? '';
  if (/%(2e|2f|5c|00)/i.test(rawPath)) return { ok: false, reason: 'encoded separator or dot' };
  if (/[/\\]\.{1,2}([/\\]|$)/.test(rawPath)) return { ok: false, reason: 'dot segment' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return { ok: false, reason: 'bad percent-encoding' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { ok: false, reason: 'forbidden character' };
  const segments = decoded.split('/').filter((segment) => segment.length > 0);
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    return { ok: false, reason: 'dot segment' };
  }
  // A Windows drive letter ("C:") would make path.join leave the root on win32.
  if (segments.some((segment) => segment.includes(':'))) return { ok: false, reason: 'forbidden character' };
  if (segments.length === 0) segments.push('index.html');

  const root = path.resolve(rootDir);
  const filePath = path.resolve(root, ...segments);
  if (!isInside(root, filePath)) return { ok: false, reason: 'outside root' };
  return { ok: true, filePath };
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative.length > 0 && !relative.startsWith('..') && !path.isAbsolute(relative);
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(filePath: string): string {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

export interface AppResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer | null;
}

function refusal(status: number): AppResponse {
  return {
    status,
    headers: { ...securityHeaders(), 'Content-Type': 'text/plain; charset=utf-8' },
    body: null,
  };
}

/**
 * Everything the protocol handler answers, with the CSP on every response. `rootDir` is dist/renderer.
 * Only GET/HEAD are served.
 */
export async function serveAppRequest(
  request: { readonly url: string; readonly method: string },
  rootDir: string,
): Promise<AppResponse> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return refusal(405);
  const mapped = resolveAppPath(request.url, rootDir);
  if (!mapped.ok) return refusal(404);
  try {
    // Symlinks inside dist/renderer must not lead outside it.
    const [realRoot, realFile] = await Promise.all([realpath(rootDir), realpath(mapped.filePath)]);
    if (!isInside(realRoot, realFile)) return refusal(404);
    const info = await stat(realFile);
    if (!info.isFile()) return refusal(404);
    const body = request.method === 'HEAD' ? null : await readFile(realFile);
    return {
      status: 200,
      headers: { ...securityHeaders(), 'Content-Type': contentTypeFor(realFile) },
      body,
    };
  } catch {
    return refusal(404);
  }
}

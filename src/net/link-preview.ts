import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { LinkPreviewError } from '../errors.js';
import { errorFields, log } from '../log.js';
import { PageMetadataReader } from './link-preview-parse.js';
import { checkPreviewUrl } from './link-preview-url.js';
import type { SocketOpener } from './socket-opener.js';

/**
 * Link previews that leak as little as possible.
 *
 * Only called for a link the user typed, and only when the user turned previews on (LinkPreviewService
 * enforces the setting; nothing calls this for received messages). Every request:
 * - goes through the given SocketOpener: the app passes previewOpener (link-preview-route.ts), which on
 *   the direct route resolves the name once and connects only to a checked public address, and through a
 *   SOCKS proxy / Tor lets the proxy resolve it;
 * - is https only, TLS-verified against the system + bundled CA store (or an injected one in tests),
 *   including after each redirect (at most 3, each re-checked);
 * - is a bare HTTP/1.1 GET: no cookies (none are ever stored), no Referer, no Origin, a User-Agent shared
 *   by every Tor Browser user rather than one naming Carapace, `Accept-Encoding: identity`;
 * - is capped: 1 MiB of HTML (parsed as it arrives; reading stops at </head> or <body>), 1 MiB per image,
 *   10 s for the whole preview.
 * The image, if any, is returned as bytes (PNG/JPEG/GIF/WebP, checked by magic bytes): the renderer never
 * gets a URL to fetch.
 */
export interface LinkPreviewImage {
  readonly contentType: 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';
  readonly data: Uint8Array;
}

export interface LinkPreview {
  /** The link as the user typed it (normalised). */
  readonly url: string;
  readonly title: string;
  readonly description?: string;
  readonly image?: LinkPreviewImage;
}

export type TrustStore = string | Buffer | ReadonlyArray<string | Buffer>;

export interface LinkPreviewLimits {
  readonly maxHtmlBytes: number;
  readonly maxImageBytes: number;
  readonly timeoutMs: number;
  readonly maxRedirects: number;
}

const LINK_PREVIEW_LIMITS: LinkPreviewLimits = Object.freeze({
  maxHtmlBytes: 1024 * 1024,
  maxImageBytes: 1024 * 1024,
  timeoutMs: 10_000,
  maxRedirects: 3,
});

/** Tor Browser's User-Agent: common to many users, names neither Carapace nor this OS. */
const LINK_PREVIEW_USER_AGENT = 'Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0';

export interface LinkPreviewOptions {
  readonly opener: SocketOpener;
  /** CA certificates to trust instead of the system + bundled store (tests, pinned deployments). */
  readonly trustStore?: TrustStore;
  readonly signal?: AbortSignal;
  /** Fetch the og:image (default true). An image failure never fails the preview. */
  readonly fetchImage?: boolean;
  /**
   * Allow blocked IP literals (loopback, private, …) and `localhost` in links and redirects (default false:
   * a typed link must not make the app probe the user's LAN or this machine). Tests on 127.0.0.1 set it.
   */
  readonly allowLocalHosts?: boolean;
  /** Lower limits (never higher than the defaults). */
  readonly limits?: Partial<LinkPreviewLimits>;
}

let defaultCa: string[] | undefined;
/** The OS trust store plus Node's bundled Mozilla roots (read once). */
function systemTrustStore(): string[] {
  if (defaultCa === undefined) {
    let system: string[] = [];
    try {
      system = tls.getCACertificates('system');
    } catch (error) {
      log.warn('net.link_preview.system_ca_unavailable', errorFields(error));
    }
    defaultCa = [...new Set([...tls.getCACertificates('bundled'), ...system])];
  }
  return defaultCa;
}

interface FetchContext {
  readonly opener: SocketOpener;
  readonly ca: TrustStore;
  readonly signal: AbortSignal;
  readonly allowLocalHosts: boolean;
  readonly limits: LinkPreviewLimits;
}

/** Reads a body as it arrives; `push` answers true once it needs no more (the download then stops). */
interface BodyReader {
  push(chunk: Buffer): boolean;
}

/** Refuses a final (2xx) response by throwing, or returns the reader for its body. */
type ResponseCheck<R extends BodyReader> = (response: IncomingMessage) => R;

interface Fetched<R> {
  readonly url: URL;
  readonly contentType: string;
  readonly body: Buffer;
  readonly reader: R;
}

type Response<R> = { redirect: URL } | { body: Buffer; contentType: string; reader: R };

async function openTls(url: URL, context: FetchContext): Promise<tls.TLSSocket> {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port === '' ? 443 : Number(url.port);
  const raw = await context.opener({ host, port }, context.signal);
  const socket = tls.connect({
    socket: raw,
    ...(net.isIP(host) === 0 ? { servername: host } : {}),
    host,
    ca: context.ca as string | Buffer | Array<string | Buffer>,
    ALPNProtocols: ['http/1.1'],
    minVersion: 'TLSv1.2',
  });
  const onAbort = (): void => {
    socket.destroy();
    raw.destroy();
  };
  context.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
      socket.once('close', () => reject(new Error('closed during TLS handshake')));
    });
  } catch (error) {
    socket.destroy();
    raw.destroy();
    if (context.signal.aborted) throw context.signal.reason;
    throw new LinkPreviewError('tls', { cause: error });
  } finally {
    context.signal.removeEventListener('abort', onAbort);
  }
  return socket;
}

/** One GET. Resolves with a redirect target or the body (≤ maxBytes); never follows anything itself. */
async function getOnce<R extends BodyReader>(
  url: URL,
  accept: string,
  maxBytes: number,
  check: ResponseCheck<R>,
  context: FetchContext,
): Promise<Response<R>> {
  const socket = await openTls(url, context);
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: unknown, value?: Response<R>): void => {
      if (settled) return;
      settled = true;
      context.signal.removeEventListener('abort', onAbort);
      request.destroy();
      socket.destroy();
      if (error !== undefined) reject(error instanceof Error ? error : new LinkPreviewError('unreachable'));
      else resolve(value!);
    };
    const onAbort = (): void => finish(context.signal.reason);
    const request = http.request({
      method: 'GET',
      host: url.hostname,
      path: `${url.pathname}${url.search}`,
      setHost: false,
      headers: {
        Host: url.host,
        'User-Agent': LINK_PREVIEW_USER_AGENT,
        Accept: accept,
        'Accept-Language': 'en-US,en;q=0.5',
        'Accept-Encoding': 'identity',
      },
      createConnection: () => socket,
    });
    context.signal.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) =>
      finish(
        context.signal.aborted
          ? context.signal.reason
          : new LinkPreviewError('unreachable', { cause: error }),
      ),
    );
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && status !== 304 && location !== undefined) {
        try {
          finish(undefined, { redirect: new URL(location, url) });
        } catch (error) {
          finish(new LinkPreviewError('http-status', { cause: error }));
        }
        return;
      }
      if (status < 200 || status >= 300) {
        finish(new LinkPreviewError('http-status'));
        return;
      }
      const encoding = response.headers['content-encoding'];
      if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
        finish(new LinkPreviewError('not-html'));
        return;
      }
      let reader: R;
      try {
        reader = check(response);
      } catch (error) {
        finish(error);
        return;
      }
      const contentType = response.headers['content-type'] ?? '';
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        finish(new LinkPreviewError('too-large'));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      response.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > maxBytes) {
          finish(new LinkPreviewError('too-large'));
          return;
        }
        chunks.push(chunk);
        if (reader.push(chunk)) finish(undefined, { body: Buffer.concat(chunks), contentType, reader });
      });
      response.on('end', () => finish(undefined, { body: Buffer.concat(chunks), contentType, reader }));
      response.on('error', (error) => finish(new LinkPreviewError('unreachable', { cause: error })));
      response.on('aborted', () => finish(new LinkPreviewError('unreachable')));
    });
    request.end();
  });
}

/** GET with at most `maxRedirects` redirects, each re-checked (https only, no local hosts). */
async function getFollowing<R extends BodyReader>(
  start: URL,
  accept: string,
  maxBytes: number,
  check: ResponseCheck<R>,
  context: FetchContext,
): Promise<Fetched<R>> {
  let url = start;
  for (let hop = 0; ; hop += 1) {
    const result = await getOnce(url, accept, maxBytes, check, context);
    if ('body' in result) return { url, ...result };
    if (hop >= context.limits.maxRedirects) {
      throw new LinkPreviewError('too-many-redirects');
    }
    url = checkPreviewUrl(result.redirect, context.allowLocalHosts);
  }
}

/** An image is read to its end (the byte cap still applies). */
const WHOLE_BODY: BodyReader = { push: () => false };

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function sniffImage(data: Buffer): LinkPreviewImage['contentType'] | undefined {
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  const head = data.subarray(0, 6).toString('latin1');
  if (head === 'GIF87a' || head === 'GIF89a') return 'image/gif';
  if (
    data.subarray(0, 4).toString('latin1') === 'RIFF' &&
    data.subarray(8, 12).toString('latin1') === 'WEBP'
  ) {
    return 'image/webp';
  }
  return undefined;
}

async function fetchImage(imageUrl: string, context: FetchContext): Promise<LinkPreviewImage> {
  const url = checkPreviewUrl(imageUrl, context.allowLocalHosts);
  const fetched = await getFollowing(
    url,
    IMAGE_TYPES.join(','),
    context.limits.maxImageBytes,
    (response) => {
      const type = mediaType(response.headers['content-type']);
      if (!(IMAGE_TYPES as readonly string[]).includes(type)) {
        throw new LinkPreviewError('not-image');
      }
      return WHOLE_BODY;
    },
    context,
  );
  const sniffed = sniffImage(fetched.body);
  if (sniffed === undefined || sniffed !== mediaType(fetched.contentType)) {
    throw new LinkPreviewError('not-image');
  }
  return { contentType: sniffed, data: new Uint8Array(fetched.body) };
}

function clampLimits(limits: Partial<LinkPreviewLimits> | undefined): LinkPreviewLimits {
  const pick = (key: keyof LinkPreviewLimits): number => {
    const value = limits?.[key];
    return value !== undefined && value >= 0
      ? Math.min(value, LINK_PREVIEW_LIMITS[key])
      : LINK_PREVIEW_LIMITS[key];
  };
  return {
    maxHtmlBytes: pick('maxHtmlBytes'),
    maxImageBytes: pick('maxImageBytes'),
    timeoutMs: pick('timeoutMs'),
    maxRedirects: pick('maxRedirects'),
  };
}

/** Why it failed, for the log: a LinkPreviewError's reason, or what the route reported. */
function failureOf(error: unknown): LinkPreviewError {
  if (error instanceof LinkPreviewError) return error;
  // The route's own failures (proxy down, connection refused, reset) become the one generic error too:
  // telling them apart would let a typed link probe which ports answer.
  return new LinkPreviewError('unreachable', { cause: error });
}

/**
 * Fetches a preview (title, description, optional image bytes) for one https link the user typed.
 * Every failure is the one LinkPreviewError (its reason is logged, never shown); a caller's abort rethrows
 * the caller's reason.
 */
export async function fetchLinkPreview(input: string, options: LinkPreviewOptions): Promise<LinkPreview> {
  const allowLocalHosts = options.allowLocalHosts ?? false;
  const limits = clampLimits(options.limits);
  const controller = new AbortController();
  const timeoutError = new LinkPreviewError('timeout');
  const timer = setTimeout(() => controller.abort(timeoutError), limits.timeoutMs);
  const onOuterAbort = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onOuterAbort();
  else options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const context: FetchContext = {
    opener: options.opener,
    ca: options.trustStore ?? systemTrustStore(),
    signal: controller.signal,
    allowLocalHosts,
    limits,
  };
  try {
    const url = checkPreviewUrl(input, allowLocalHosts);
    const page = await getFollowing(
      url,
      'text/html,application/xhtml+xml;q=0.9',
      limits.maxHtmlBytes,
      (response) => {
        if (!HTML_TYPES.has(mediaType(response.headers['content-type']))) {
          throw new LinkPreviewError('not-html');
        }
        return new PageMetadataReader(response.headers['content-type']);
      },
      context,
    );
    const metadata = page.reader.finish(page.url);
    if (metadata.title === undefined) throw new LinkPreviewError('no-metadata');
    let image: LinkPreviewImage | undefined;
    if ((options.fetchImage ?? true) && metadata.imageUrl !== undefined) {
      try {
        image = await fetchImage(metadata.imageUrl, context);
      } catch (error) {
        if (controller.signal.aborted && controller.signal.reason !== timeoutError)
          throw controller.signal.reason;
        log.info('net.link_preview.image_skipped', { reason: failureOf(error).reason });
      }
    }
    return {
      url: url.href,
      title: metadata.title,
      ...(metadata.description !== undefined ? { description: metadata.description } : {}),
      ...(image !== undefined ? { image } : {}),
    };
  } catch (error) {
    if (options.signal?.aborted === true) throw options.signal.reason;
    const failure =
      controller.signal.aborted && controller.signal.reason === timeoutError
        ? timeoutError
        : failureOf(error);
    log.info('net.link_preview.failed', { reason: failure.reason });
    throw failure;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}

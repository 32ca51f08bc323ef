/**
 * Attachment CDN traffic over our HTTP/2 transport (pinned TLS through the SocketOpener, so SOCKS/Tor and
 * certificate pinning apply to every byte, exactly as for the chat service):
 *
 * - Upload (CDN 3): TUS 1.0.0 "creation-with-upload" — one POST to the form's signed location with
 *   `Tus-Resumable`, `Upload-Length`, `Content-Type: application/offset+octet-stream`, the form's headers
 *   and the whole encrypted blob as the body, answered 201 with `Upload-Offset`. (That is the variant
 *   Signal clients use; the mock's TUS server names the upload after its full path, so a later
 *   HEAD/PATCH resume addresses a different id there — resuming is left out.)
 * - Download: GET of the blob, streamed chunk by chunk to the caller with an idle timeout and a hard size
 *   cap, so a hostile CDN can neither stall us forever nor fill memory.
 *
 * Only endpoints from the ClientConfig are ever contacted: an upload form pointing at another host is
 * refused rather than followed.
 */
import type { ClientHttp2Session, IncomingHttpHeaders } from 'node:http2';
import { releaseBuffer } from '../bytes/release.js';
import { NetworkError, ProtocolError, ServerError } from '../errors.js';
import { LazyHttp2Session } from './cdn-session.js';
import type { ClientConfig, ServiceEndpoint } from './config.js';
import type { UploadForm } from './grpc-attachments.js';
import type { SocketOpener } from './socket-opener.js';

/** `done` of `total` bytes (total is 0 when the server did not say). */
export type ProgressCallback = (done: number, total: number) => void;

export interface CdnClientOptions {
  readonly config: ClientConfig;
  readonly openSocket: SocketOpener;
  /** A transfer with no progress for this long fails. Default 60 s (Tor can be slow, not silent). */
  readonly idleTimeoutMs?: number;
}

export interface CdnLocation {
  readonly cdnNumber: number;
  /** CDN 2/3 key, or… */
  readonly cdnKey?: string;
  /** …CDN 0's numeric id. */
  readonly cdnId?: number | bigint;
}

export interface UploadOptions {
  readonly onProgress?: ProgressCallback;
  readonly signal?: AbortSignal;
}

/** An upload body produced piece by piece (e.g. encrypted as it is read), `length` bytes in all. */
export interface UploadBody {
  readonly length: number;
  readonly chunks: Iterable<Uint8Array>;
  /** Called with each chunk once it was handed to the connection (its memory may be freed then). */
  readonly release?: (chunk: Uint8Array) => void;
}

function* slices(bytes: Uint8Array): Generator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += UPLOAD_CHUNK) {
    yield bytes.subarray(offset, offset + UPLOAD_CHUNK);
  }
}

export interface DownloadOptions {
  /**
   * Receives each chunk as it arrives (e.g. an incremental decryptor). The chunk is valid only during
   * the call (its memory is freed afterwards): copy what must be kept.
   */
  readonly onChunk: (chunk: Buffer) => void;
  /** Refuse bodies larger than this (announced or actual). */
  readonly maxBytes: number;
  readonly onProgress?: ProgressCallback;
  readonly signal?: AbortSignal;
}

const UPLOAD_CHUNK = 64 * 1024;
/**
 * Download bytes are handed to `onChunk` in pieces of at least this size: HTTP/2 delivers DATA frames of
 * 8–16 KiB, and a consumer per frame (hash, MAC, cipher, vault writer) costs more in calls than in bytes.
 */
const DELIVERY_CHUNK = 256 * 1024;
/** HTTP/2 receive window for CDN sessions (measured on the attachments bench: see the report). */
const CDN_WINDOW_BYTES = 8 * 1024 * 1024;
const KEY_PATTERN = /^[A-Za-z0-9_\-.=]{1,256}$/;
/** Headers an upload form may not set (HTTP/2 pseudo/connection headers and the ones TUS owns). */
const RESERVED_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'te',
  'upgrade',
  'keep-alive',
  'proxy-connection',
  'tus-resumable',
  'upload-length',
  'upload-offset',
  'upload-metadata',
  'content-type',
]);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/**
 * Path of a blob on a CDN. Signal serves `/attachments/<id-or-key>` on every CDN; the mock serves CDN 3
 * under `/cdn3` on its single host, so demo configs get that prefix.
 */
export function cdnDownloadPath(config: ClientConfig, location: CdnLocation): string {
  let id: string;
  if (location.cdnKey !== undefined && location.cdnKey !== '') {
    if (!KEY_PATTERN.test(location.cdnKey) || location.cdnKey.includes('..')) {
      throw new ProtocolError('The attachment has an invalid CDN key.');
    }
    id = location.cdnKey;
  } else if (location.cdnId !== undefined && BigInt(location.cdnId) > 0n) {
    id = BigInt(location.cdnId).toString();
  } else {
    throw new ProtocolError('The attachment has no CDN location.');
  }
  const prefix = config.mode === 'demo' && location.cdnNumber === 3 ? '/cdn3' : '';
  return `${prefix}/attachments/${encodeURIComponent(id)}`;
}

function sameHost(endpoint: ServiceEndpoint, url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const names = [endpoint.host, endpoint.servername]
    .filter((n): n is string => !!n)
    .map((n) => n.toLowerCase());
  const port = url.port === '' ? 443 : Number(url.port);
  return names.includes(host) && port === endpoint.port;
}

function statusOf(headers: IncomingHttpHeaders): number {
  const raw = headers[':status'];
  return typeof raw === 'number' ? raw : Number(raw);
}

export class CdnClient {
  readonly #sessions = new Map<string, LazyHttp2Session>();
  readonly #options: CdnClientOptions;

  constructor(options: CdnClientOptions) {
    this.#options = options;
  }

  #endpoint(cdnNumber: number): ServiceEndpoint {
    const endpoint = this.#options.config.cdn[String(cdnNumber)];
    if (!endpoint) throw new ProtocolError(`CDN ${cdnNumber} is not configured.`);
    return endpoint;
  }

  #session(cdnNumber: number, signal?: AbortSignal): Promise<ClientHttp2Session> {
    const key = String(cdnNumber);
    let lazy = this.#sessions.get(key);
    if (!lazy) {
      lazy = new LazyHttp2Session({
        endpoint: this.#endpoint(cdnNumber),
        trustRootsPem: this.#options.config.tlsTrustRootsPem,
        openSocket: this.#options.openSocket,
        windowBytes: CDN_WINDOW_BYTES,
      });
      this.#sessions.set(key, lazy);
    }
    return lazy.get(signal);
  }

  /**
   * TUS upload of `body` to the form's location (CDN 3), as one POST streamed piece by piece with the
   * stream's backpressure. Resolves once the CDN confirmed every byte.
   */
  async tusUpload(
    form: UploadForm,
    data: Uint8Array | UploadBody,
    options: UploadOptions = {},
  ): Promise<void> {
    const body = data instanceof Uint8Array ? { length: data.length, chunks: slices(data) } : data;
    if (form.cdn !== 3) throw new ProtocolError(`Uploads to CDN ${form.cdn} are not supported.`);
    const endpoint = this.#endpoint(form.cdn);
    let url: URL;
    try {
      url = new URL(form.signedUploadLocation);
    } catch (error) {
      throw new ProtocolError('The upload location is not a URL.', { cause: error });
    }
    if (url.protocol !== 'https:' || !sameHost(endpoint, url)) {
      throw new ProtocolError('The upload location is not the configured CDN.');
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(form.headers)) {
      const lower = name.toLowerCase();
      if (!TOKEN.test(lower) || RESERVED_HEADERS.has(lower) || /[\r\n\0]/.test(value)) continue;
      headers[lower] = value;
    }
    const session = await this.#session(form.cdn, options.signal);
    const status = await this.#transfer(session, {
      headers: {
        ...headers,
        ':method': 'POST',
        ':path': `${url.pathname}${url.search}`,
        'tus-resumable': '1.0.0',
        'upload-length': String(body.length),
        // TUS metadata naming the object (Signal's CDN 3 may take the name from here, the mock from the URL).
        'upload-metadata': `filename ${Buffer.from(form.key, 'utf8').toString('base64')}`,
        'content-type': 'application/offset+octet-stream',
        'user-agent': 'Carapace',
      },
      body,
      maxBytes: 64 * 1024,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (status.status !== 201 && status.status !== 204) {
      throw new ServerError(`The CDN answered ${status.status} to the upload`, status.status);
    }
    const offset = Number(status.headers['upload-offset']);
    if (offset !== body.length) throw new ProtocolError('The CDN did not store the whole upload.');
  }

  /** Streams a blob from its CDN to `onChunk`; resolves with the byte count. Non-200 is a ServerError. */
  async download(location: CdnLocation, options: DownloadOptions): Promise<number> {
    const path = cdnDownloadPath(this.#options.config, location);
    const session = await this.#session(location.cdnNumber, options.signal);
    const result = await this.#transfer(session, {
      headers: { ':method': 'GET', ':path': path, 'user-agent': 'Carapace' },
      maxBytes: options.maxBytes,
      onChunk: options.onChunk,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (result.status !== 200) {
      throw new ServerError(`The CDN answered ${result.status} to the download`, result.status);
    }
    return result.received;
  }

  #transfer(
    session: ClientHttp2Session,
    request: {
      headers: Record<string, string>;
      body?: UploadBody;
      maxBytes: number;
      onChunk?: (chunk: Buffer) => void;
      onProgress?: ProgressCallback;
      signal?: AbortSignal;
    },
  ): Promise<{ status: number; headers: IncomingHttpHeaders; received: number }> {
    const idleMs = this.#options.idleTimeoutMs ?? 60_000;
    return new Promise((resolve, reject) => {
      let stream: ReturnType<ClientHttp2Session['request']>;
      try {
        stream = session.request(request.headers, { endStream: request.body === undefined });
      } catch (error) {
        reject(new NetworkError('Could not reach the CDN', { cause: error }));
        return;
      }
      let settled = false;
      let headers: IncomingHttpHeaders | undefined;
      let status = 0;
      let total = 0;
      let received = 0;
      const finish = (error: Error | undefined): void => {
        if (settled) return;
        settled = true;
        request.signal?.removeEventListener('abort', onAbort);
        if (error) {
          if (!stream.destroyed) stream.destroy();
          reject(error);
        } else resolve({ status, headers: headers ?? {}, received });
      };
      const onAbort = (): void =>
        finish(new NetworkError('The transfer was cancelled', { cause: request.signal?.reason }));
      if (request.signal?.aborted) {
        onAbort();
        return;
      }
      request.signal?.addEventListener('abort', onAbort, { once: true });
      stream.setTimeout(idleMs, () => finish(new NetworkError('The CDN stopped responding')));
      stream.on('response', (h) => {
        headers = h;
        status = statusOf(h);
        const length = Number(h['content-length'] ?? 0);
        total = Number.isFinite(length) && length > 0 ? length : 0;
        if (status === 200 && total > request.maxBytes) {
          finish(new ProtocolError('The CDN file is larger than allowed.'));
        }
      });
      // Frames (ciphertext) waiting to be handed over as one piece, see DELIVERY_CHUNK.
      let held: Buffer[] = [];
      let heldBytes = 0;
      const deliver = (): boolean => {
        if (heldBytes === 0 || !request.onChunk) return true;
        const joined = held.length > 1;
        const piece = joined ? Buffer.concat(held, heldBytes) : (held[0] as Buffer);
        held = [];
        heldBytes = 0;
        try {
          request.onChunk(piece);
        } catch (error) {
          finish(error instanceof Error ? error : new ProtocolError('Download consumer failed'));
          return false;
        } finally {
          // Only a piece joined here is ours to free; a single frame's Buffer may share its memory.
          if (joined) releaseBuffer(piece);
        }
        request.onProgress?.(received, total);
        return true;
      };
      stream.on('data', (chunk: Buffer) => {
        if (settled) return;
        received += chunk.length;
        if (received > request.maxBytes) {
          finish(new ProtocolError('The CDN file is larger than allowed.'));
          return;
        }
        if (status === 200 && request.onChunk) {
          held.push(chunk);
          heldBytes += chunk.length;
          if (heldBytes >= DELIVERY_CHUNK) deliver();
        }
      });
      stream.on('end', () => {
        if (!deliver()) return;
        if (!headers) finish(new NetworkError('The connection closed before the CDN answered'));
        // Shorter than announced: the transfer was cut (e.g. the proxy died), so retry it later; the
        // file itself is not at fault and must not be rejected as malformed.
        else if (status === 200 && total > 0 && received < total) {
          finish(new NetworkError('The CDN transfer ended early'));
        } else finish(undefined);
      });
      stream.on('error', (error) => finish(new NetworkError('The CDN transfer failed', { cause: error })));
      stream.on('close', () => finish(new NetworkError('The connection closed before the CDN answered')));

      const body = request.body;
      if (body === undefined) return;
      void (async () => {
        let sent = 0;
        try {
          for (const chunk of body.chunks) {
            if (settled) return;
            sent += chunk.length;
            if (sent > body.length) throw new ProtocolError('The upload is longer than announced.');
            if (!stream.write(chunk, () => body.release?.(chunk)) && !settled) {
              await new Promise<void>((resume) => {
                const done = (): void => {
                  stream.off('drain', done);
                  stream.off('close', done);
                  resume();
                };
                stream.on('drain', done);
                stream.on('close', done);
              });
            }
            if (!settled) request.onProgress?.(sent, body.length);
          }
          if (sent !== body.length) throw new ProtocolError('The upload is shorter than announced.');
        } catch (error) {
          finish(error instanceof Error ? error : new ProtocolError('The upload source failed'));
          return;
        }
        if (!settled) stream.end();
      })();
    });
  }

  close(): void {
    for (const session of this.#sessions.values()) session.close();
    this.#sessions.clear();
  }
}

import type { ClientHttp2Session, IncomingHttpHeaders } from 'node:http2';
import { NetworkError, ProtocolError, ServerError } from '../errors.js';
import type { ServiceEndpoint } from './config.js';
import { closeHttp2Session, openHttp2Session } from './http2-session.js';
import type { SocketOpener } from './socket-opener.js';

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export interface BasicAuth {
  readonly username: string;
  readonly password: string;
}

export function basicAuthHeader(auth: BasicAuth): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
}

export interface RestRequest {
  readonly method: HttpMethod;
  /** Path and query, starting with '/'. */
  readonly path: string;
  /** JSON body (sent as application/json). */
  readonly json?: unknown;
  /** Raw body; `contentType` defaults to application/octet-stream. */
  readonly body?: Uint8Array;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly auth?: BasicAuth;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface RestResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface RestClientOptions {
  readonly endpoint: ServiceEndpoint;
  readonly trustRootsPem: readonly string[];
  readonly openSocket: SocketOpener;
  readonly defaultTimeoutMs?: number;
  /** Responses larger than this are refused (a hostile server must not exhaust memory). Default 32 MiB. */
  readonly maxResponseBytes?: number;
}

/**
 * JSON/binary requests over one HTTP/2 session to a service (pinned TLS through the SocketOpener). The
 * session is opened lazily and reopened after it failed. Non-2xx answers become ServerError(status) whose
 * message never quotes the server's body.
 */
export class RestClient {
  #session: Promise<ClientHttp2Session> | undefined;
  readonly #options: RestClientOptions;
  #closed = false;

  constructor(options: RestClientOptions) {
    this.#options = options;
  }

  async #getSession(signal?: AbortSignal): Promise<ClientHttp2Session> {
    if (this.#closed) throw new NetworkError('The connection was closed');
    if (this.#session) {
      const existing = await this.#session.catch(() => undefined);
      if (existing && !existing.closed && !existing.destroyed) return existing;
    }
    const opening = openHttp2Session({
      endpoint: this.#options.endpoint,
      trustRootsPem: this.#options.trustRootsPem,
      openSocket: this.#options.openSocket,
      ...(signal ? { signal } : {}),
    });
    this.#session = opening;
    const session = await opening;
    session.once('close', () => {
      if (this.#session === opening) this.#session = undefined;
    });
    return session;
  }

  /** Sends a request; resolves with any status (use `requestOk`/`requestJson` to throw on non-2xx). */
  async request(request: RestRequest): Promise<RestResponse> {
    const session = await this.#getSession(request.signal);
    const headers: Record<string, string> = {
      ':method': request.method,
      ':path': request.path,
      'user-agent': 'Carapace',
      ...request.headers,
    };
    let payload: Uint8Array | undefined;
    if (request.json !== undefined) {
      payload = Buffer.from(JSON.stringify(request.json), 'utf8');
      headers['content-type'] = 'application/json';
    } else if (request.body) {
      payload = request.body;
      headers['content-type'] = request.contentType ?? 'application/octet-stream';
    }
    if (request.auth) headers.authorization = basicAuthHeader(request.auth);
    const maxBytes = this.#options.maxResponseBytes ?? 32 * 1024 * 1024;
    const timeoutMs = request.timeoutMs ?? this.#options.defaultTimeoutMs ?? 30_000;

    return new Promise<RestResponse>((resolve, reject) => {
      let settled = false;
      let stream: ReturnType<ClientHttp2Session['request']>;
      try {
        stream = session.request(headers, { endStream: payload === undefined });
      } catch (error) {
        reject(new NetworkError('Could not send the request', { cause: error }));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let status = 0;
      let responseHeaders: IncomingHttpHeaders = {};
      const finish = (error: Error | undefined, response?: RestResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        if (error) {
          if (!stream.destroyed) stream.close();
          reject(error);
        } else if (response) resolve(response);
      };
      const timer = setTimeout(
        () => finish(new NetworkError('The server did not answer in time')),
        timeoutMs,
      );
      const onAbort = (): void =>
        finish(new NetworkError('Request aborted', { cause: request.signal?.reason }));
      if (request.signal?.aborted) {
        onAbort();
        return;
      }
      request.signal?.addEventListener('abort', onAbort, { once: true });
      let gotResponse = false;
      stream.on('response', (h) => {
        gotResponse = true;
        responseHeaders = h;
        const raw = h[':status'];
        status = typeof raw === 'number' ? raw : Number(raw);
      });
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          finish(new ProtocolError('The server response is too large'));
          return;
        }
        chunks.push(chunk);
      });
      stream.on('end', () => {
        if (!gotResponse) {
          finish(new NetworkError('The connection closed before the answer arrived'));
          return;
        }
        if (!Number.isInteger(status) || status < 100) {
          finish(new ProtocolError('The server response had no valid status'));
          return;
        }
        finish(undefined, { status, headers: responseHeaders, body: Buffer.concat(chunks) });
      });
      stream.on('error', (error) => finish(new NetworkError('The request failed', { cause: error })));
      stream.on('close', () => finish(new NetworkError('The connection closed before the answer arrived')));
      if (payload !== undefined) stream.end(payload);
    });
  }

  /** Like `request`, but a non-2xx status throws ServerError(status). */
  async requestOk(request: RestRequest): Promise<RestResponse> {
    const response = await this.request(request);
    if (response.status < 200 || response.status > 299) {
      throw new ServerError(`The server answered ${response.status} to ${request.method}`, response.status);
    }
    return response;
  }

  /** A 2xx JSON answer, parsed; bad JSON is a ProtocolError. Validate the shape at the call site. */
  async requestJson(request: RestRequest): Promise<unknown> {
    const response = await this.requestOk(request);
    if (response.body.length === 0) return undefined;
    try {
      return JSON.parse(response.body.toString('utf8')) as unknown;
    } catch (error) {
      throw new ProtocolError('The server sent malformed JSON', { cause: error });
    }
  }

  close(): void {
    this.#closed = true;
    const session = this.#session;
    this.#session = undefined;
    void session?.then(closeHttp2Session, () => undefined);
  }
}

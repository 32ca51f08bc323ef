/**
 * The chat service's WebSocket (Signal's WebSocketResources protocol) over our own HTTP/2 transport via
 * RFC 8441 extended CONNECT: requests we send with their responses, requests the server sends us (answered
 * only after their handler resolved — the ack), keepalive, and bounded frames. One job, slightly over the
 * ~400-line norm: the framing, request tracking and close handling belong together.
 */
import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2';
import { WebSocket } from 'ws';
import { NetworkError, ProtocolError, ServerError } from '../errors.js';
import { errorFields, log } from '../log.js';
import {
  decodeWsFrame,
  encodeWsRequest,
  encodeWsResponse,
  type WsFrame,
  type WsResponseFrame,
} from '../signal/proto/websocket.js';
import type { ServiceEndpoint } from './config.js';
import { closeHttp2Session, openHttp2Session } from './http2-session.js';
import { basicAuthHeader, type BasicAuth } from './rest.js';
import type { SocketOpener } from './socket-opener.js';

/** A request the server sent us (e.g. PUT /api/v1/message with an Envelope, PUT /api/v1/queue/empty). */
export interface IncomingRequest {
  readonly verb: string;
  readonly path: string;
  readonly headers: readonly string[];
  readonly body?: Uint8Array;
}

/**
 * Decides the answer to an incoming request. The response (200 unless another status is returned) is
 * sent only after the returned promise resolved, so the server keeps a message until the handler has
 * committed it. A throwing handler answers 500, and the server keeps the message for redelivery.
 * Requests are handled one at a time, in arrival order (see `concurrentIncoming`).
 */
export type IncomingRequestHandler = (request: IncomingRequest) => Promise<number | void>;

export interface ChatRequest {
  readonly verb: string;
  readonly path: string;
  readonly json?: unknown;
  readonly body?: Uint8Array;
  readonly headers?: readonly string[];
  readonly timeoutMs?: number;
}

export interface ChatResponse {
  readonly status: number;
  readonly message?: string;
  readonly headers: readonly string[];
  readonly body?: Uint8Array;
}

export interface ChatConnectionOptions {
  readonly endpoint: ServiceEndpoint;
  readonly trustRootsPem: readonly string[];
  readonly openSocket: SocketOpener;
  /** '/v1/websocket/' (chat) or '/v1/websocket/provisioning/'. */
  readonly path?: string;
  /** Credentials (`aci.deviceId` : password); without them the socket is unauthenticated. */
  readonly auth?: BasicAuth;
  readonly onRequest?: IncomingRequestHandler;
  /**
   * Start each incoming request's handler as it arrives (still in arrival order), without waiting for
   * the previous answer; each answer goes out when its own handler resolved. Lets the inbox batch the
   * server's delivery window (src/messaging/inbox.ts). Default: one at a time.
   */
  readonly concurrentIncoming?: boolean;
  /** Interval of GET /v1/keepalive; 0 turns keepalive off. Default 30 s. */
  readonly keepaliveIntervalMs?: number;
  /** A keepalive unanswered for this long closes the connection. Default 20 s. */
  readonly keepaliveTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /**
   * Largest incoming request handled. Default 16 MiB. A larger one (up to TRANSPORT_LIMIT_FACTOR times
   * this) is acked and skipped, not handled; beyond that the socket cannot read it and closes.
   */
  readonly maxPayloadBytes?: number;
  readonly signal?: AbortSignal;
  readonly connectTimeoutMs?: number;
}

export interface ChatCloseInfo {
  readonly code: number;
  /** Why we closed or lost it, as a typed error (none for a clean close we asked for). */
  readonly error?: NetworkError | ProtocolError | ServerError;
}

const DEFAULT_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
/**
 * The socket reads messages up to this many times maxPayloadBytes, so a request just over the limit can be
 * answered (and dropped) instead of closing the connection — which the server would meet by redelivering
 * the same message on every reconnect, blocking every later one (issue 13.5).
 */
const TRANSPORT_LIMIT_FACTOR = 4;

/** WebSocket close code of mock/Signal servers for rejected credentials. */
const CLOSE_CODE_AUTH_FAILED = 3000;

interface Pending {
  resolve(response: ChatResponse): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * The chat WebSocket as RFC 8441 extended CONNECT over HTTP/2 (what chat.signal.org and mock-server 27
 * serve) through pinned TLS on a socket from our SocketOpener, with Signal's WebSocketResources framing.
 */
export class ChatConnection {
  readonly closed: Promise<ChatCloseInfo>;
  #resolveClosed!: (info: ChatCloseInfo) => void;
  readonly #ws: WebSocket;
  readonly #session: ClientHttp2Session;
  readonly #options: ChatConnectionOptions;
  readonly #pending = new Map<bigint, Pending>();
  #nextId = 1n;
  #incoming: Promise<void> = Promise.resolve();
  #keepaliveTimer: NodeJS.Timeout | undefined;
  #keepaliveInFlight = false;
  #closeError: ChatCloseInfo['error'];
  #isClosed = false;
  #closeRequested = false;

  /** Use `openChatConnection`. */
  constructor(session: ClientHttp2Session, ws: WebSocket, options: ChatConnectionOptions) {
    this.#session = session;
    this.#ws = ws;
    this.#options = options;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('error', (error) => {
      this.#closeError ??= new ProtocolError('The WebSocket stream was invalid', { cause: error });
    });
    ws.on('close', (code) => this.#onClose(code));
    session.on('close', () => {
      if (!this.#isClosed) {
        this.#closeError ??= new NetworkError('The connection to the server was lost');
        ws.terminate();
      }
    });
    const interval = options.keepaliveIntervalMs ?? 30_000;
    if (interval > 0) {
      this.#keepaliveTimer = setInterval(() => this.#keepalive(), interval);
      this.#keepaliveTimer.unref();
    }
  }

  get isOpen(): boolean {
    return !this.#isClosed && this.#ws.readyState === WebSocket.OPEN;
  }

  /** Sends a request over the socket and waits for the response with the same id (any status). */
  request(request: ChatRequest): Promise<ChatResponse> {
    if (!this.isOpen) return Promise.reject(new NetworkError('The chat connection is closed'));
    const id = this.#nextId++;
    const headers = [...(request.headers ?? [])];
    let body = request.body;
    if (request.json !== undefined) {
      body = Buffer.from(JSON.stringify(request.json), 'utf8');
      headers.push('content-type:application/json');
    }
    const frame = encodeWsRequest({
      verb: request.verb,
      path: request.path,
      id,
      headers,
      ...(body ? { body } : {}),
    });
    return new Promise<ChatResponse>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.#pending.delete(id);
          reject(new NetworkError('The server did not answer in time'));
        },
        request.timeoutMs ?? this.#options.requestTimeoutMs ?? 30_000,
      );
      this.#pending.set(id, { resolve, reject, timer });
      this.#ws.send(frame, { binary: true }, (error) => {
        if (!error) return;
        const pending = this.#pending.get(id);
        if (!pending) return;
        this.#pending.delete(id);
        clearTimeout(pending.timer);
        pending.reject(new NetworkError('Could not send the request', { cause: error }));
      });
    });
  }

  /** Like `request`, but a non-2xx status throws ServerError(status). */
  async requestOk(request: ChatRequest): Promise<ChatResponse> {
    const response = await this.request(request);
    if (response.status < 200 || response.status > 299) {
      throw new ServerError(`The server answered ${response.status} to ${request.verb}`, response.status);
    }
    return response;
  }

  /** A 2xx answer's JSON body; malformed JSON is a ProtocolError. Validate the shape at the call site. */
  async requestJson(request: ChatRequest): Promise<unknown> {
    return parseJsonBody(await this.requestOk(request));
  }

  /** Closes the socket and its HTTP/2 session; resolves when closed. */
  async close(code = 1000): Promise<ChatCloseInfo> {
    this.#closeRequested = true;
    if (!this.#isClosed) {
      if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING) {
        this.#ws.close(code);
      }
      // A peer that never answers the close handshake must not keep us waiting.
      const force = setTimeout(() => this.#ws.terminate(), 2000);
      force.unref();
      void this.closed.then(() => clearTimeout(force));
    }
    return this.closed;
  }

  #fail(error: ProtocolError | NetworkError, code: number): void {
    this.#closeError ??= error;
    log.warn('net.chat.failed', { ...errorFields(error), code });
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.close(code);
    else this.#ws.terminate();
    const force = setTimeout(() => this.#ws.terminate(), 2000);
    force.unref();
  }

  #onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (!isBinary) {
      this.#fail(new ProtocolError('The server sent a text WebSocket message'), 1003);
      return;
    }
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    let frame: WsFrame;
    try {
      frame = decodeWsFrame(bytes);
    } catch (error) {
      this.#fail(
        error instanceof ProtocolError ? error : new ProtocolError('Malformed frame', { cause: error }),
        1002,
      );
      return;
    }
    if (frame.type === 'response') {
      this.#onResponse(frame.response);
      return;
    }
    const { id, verb, path, headers, body } = frame.request;
    // An oversize request is answered 200 and never handled. The server deletes a message on a 2xx
    // answer and redelivers it on every connect otherwise, so acking is the only way to skip it — the
    // same rule as for undecryptable input (src/messaging/receiver.ts): drop one message, reported,
    // rather than block every later one. Signal's server refuses such sends; this guards the client
    // against a server or route that does not.
    const oversize = bytes.length > (this.#options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES);
    if (oversize) log.warn('net.chat.oversize_request_skipped', { bytes: bytes.length, verb });
    // One at a time, in order: the answer to request n is sent before request n+1 is handled — or,
    // with concurrentIncoming, each handler starts now (in order) and answers when it is done.
    const handle = async (): Promise<void> => {
      const handler = this.#options.onRequest;
      let status = handler || oversize ? 200 : 404;
      if (handler && !oversize) {
        try {
          status = (await handler({ verb, path, headers, ...(body ? { body } : {}) })) ?? 200;
        } catch (error) {
          log.warn('net.chat.incoming_handler_failed', { ...errorFields(error), verb });
          status = 500;
        }
      }
      if (!this.isOpen) return; // not acknowledged: the server redelivers on the next connection
      this.#ws.send(encodeWsResponse({ id, status, headers: [] }), { binary: true });
    };
    if (this.#options.concurrentIncoming) void handle();
    else this.#incoming = this.#incoming.then(handle);
  }

  #onResponse(response: WsResponseFrame): void {
    const pending = this.#pending.get(response.id);
    if (!pending) {
      // An answer to nothing we asked: ignore it (logged), it cannot be matched to any caller.
      log.warn('net.chat.unexpected_response', { status: response.status });
      return;
    }
    this.#pending.delete(response.id);
    clearTimeout(pending.timer);
    pending.resolve({
      status: response.status,
      headers: response.headers,
      ...(response.message !== undefined ? { message: response.message } : {}),
      ...(response.body ? { body: response.body } : {}),
    });
  }

  #keepalive(): void {
    if (!this.isOpen || this.#keepaliveInFlight) return;
    this.#keepaliveInFlight = true;
    this.request({
      verb: 'GET',
      path: '/v1/keepalive',
      timeoutMs: this.#options.keepaliveTimeoutMs ?? 20_000,
    })
      .then(
        (response) => {
          if (response.status !== 200) log.warn('net.chat.keepalive_status', { status: response.status });
        },
        (error: unknown) => {
          this.#fail(new NetworkError('Keepalive unanswered', { cause: error }), 3001);
        },
      )
      .finally(() => {
        this.#keepaliveInFlight = false;
      });
  }

  #onClose(code: number): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    clearInterval(this.#keepaliveTimer);
    if (code === CLOSE_CODE_AUTH_FAILED) {
      this.#closeError = new ServerError('The server rejected the credentials', 401);
    } else if (this.#closeRequested && code === 1006 && !this.#closeError) {
      // We asked to close and the peer ended the stream without its close frame reaching us (observed
      // with mock-server 27 over HTTP/2): still a clean close from our side.
    } else if (code !== 1000 && code !== 1005 && !this.#closeError) {
      this.#closeError = new NetworkError(`The chat connection closed (${code})`);
    }
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(this.#closeError ?? new NetworkError('The chat connection closed'));
      this.#pending.delete(id);
    }
    closeHttp2Session(this.#session);
    this.#resolveClosed(this.#closeError ? { code, error: this.#closeError } : { code });
  }
}

export function parseJsonBody(response: ChatResponse): unknown {
  if (!response.body || response.body.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.from(response.body).toString('utf8')) as unknown;
  } catch (error) {
    throw new ProtocolError('The server sent malformed JSON', { cause: error });
  }
}

/**
 * Opens the chat WebSocket: HTTP/2 session (pinned TLS via the SocketOpener), then an extended CONNECT
 * stream (`:protocol: websocket`), then `ws` on top of that stream in client role (masked frames).
 */
export async function openChatConnection(options: ChatConnectionOptions): Promise<ChatConnection> {
  const session = await openHttp2Session({
    endpoint: options.endpoint,
    trustRootsPem: options.trustRootsPem,
    openSocket: options.openSocket,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.connectTimeoutMs !== undefined ? { timeoutMs: options.connectTimeoutMs } : {}),
  });
  try {
    if (!session.remoteSettings.enableConnectProtocol) {
      throw new ProtocolError('The server does not support WebSockets over HTTP/2');
    }
    const headers: Record<string, string> = {
      ':method': 'CONNECT',
      ':protocol': 'websocket',
      ':path': options.path ?? '/v1/websocket/',
      ':scheme': 'https',
      'sec-websocket-version': '13',
      'user-agent': 'Carapace',
    };
    if (options.auth) headers.authorization = basicAuthHeader(options.auth);
    const stream = session.request(headers, { endStream: false });
    await awaitConnectResponse(stream, options.connectTimeoutMs ?? 15_000, options.signal);
    const ws = new (
      WebSocket as unknown as new (address: null, protocols: undefined, options: object) => WebSocket
    )(null, undefined, {});
    // `ws` has no public API for a client over an already-negotiated stream (RFC 8441). A WebSocket made
    // with a null address is in server role; switch it to client role before attaching the stream so
    // our frames are masked as RFC 6455 requires of clients. Checked against ws 8.23.
    (ws as unknown as { _isServer: boolean })._isServer = false;
    (
      ws as unknown as {
        setSocket(socket: ClientHttp2Stream, head: Buffer, options: { maxPayload: number }): void;
      }
    ).setSocket(stream, Buffer.alloc(0), {
      maxPayload: (options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES) * TRANSPORT_LIMIT_FACTOR,
    });
    return new ChatConnection(session, ws, options);
  } catch (error) {
    closeHttp2Session(session);
    session.destroy();
    throw error;
  }
}

function awaitConnectResponse(
  stream: ClientHttp2Stream,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => done(new NetworkError('WebSocket setup timed out')), timeoutMs);
    const onAbort = (): void => done(new NetworkError('Connection aborted', { cause: signal?.reason }));
    signal?.addEventListener('abort', onAbort, { once: true });
    function done(error?: Error): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      stream.removeListener('response', onResponse);
      stream.removeListener('error', onError);
      stream.removeListener('close', onStreamClose);
      if (error) {
        stream.close();
        reject(error);
      } else resolve();
    }
    function onResponse(headers: Record<string, unknown>): void {
      const status = Number(headers[':status']);
      if (status === 200) done();
      else done(new ServerError(`The server refused the WebSocket (${status})`, status));
    }
    function onError(error: Error): void {
      done(new NetworkError('WebSocket setup failed', { cause: error }));
    }
    function onStreamClose(): void {
      done(new NetworkError('WebSocket setup failed: stream closed'));
    }
    stream.on('response', onResponse);
    stream.on('error', onError);
    stream.on('close', onStreamClose);
  });
}

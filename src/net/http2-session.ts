import { connect, constants, type ClientHttp2Session } from 'node:http2';
import { NetworkError } from '../errors.js';
import type { ServiceEndpoint } from './config.js';
import type { SocketOpener } from './socket-opener.js';
import { openTls } from './tls.js';

export interface Http2SessionOptions {
  readonly endpoint: ServiceEndpoint;
  readonly trustRootsPem: readonly string[];
  readonly openSocket: SocketOpener;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/**
 * How much the server may send ahead of what we consumed, per stream and per connection. HTTP/2's default
 * (64 KiB) capped the chat socket at ≈ 14–27 sealed-sender envelopes (≈ 2.3 KiB each) in flight, so the
 * Receiver's batches stayed small whatever the server's delivery window (bench/backlog.bench.ts).
 */
const RECEIVE_WINDOW_BYTES = 1 << 20;

/**
 * SocketOpener → pinned TLS (ALPN h2) → HTTP/2 session. Node's http2 never opens its own connection here
 * (`createConnection` hands it our socket), so routing (SOCKS/Tor) and pinning cannot be bypassed.
 * Resolves once the server's SETTINGS arrived, so `remoteSettings.enableConnectProtocol` is known.
 */
export async function openHttp2Session(options: Http2SessionOptions): Promise<ClientHttp2Session> {
  const tls = await openTls({
    endpoint: options.endpoint,
    trustRootsPem: options.trustRootsPem,
    openSocket: options.openSocket,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  const authority = `https://${formatHost(options.endpoint.servername ?? options.endpoint.host)}:${options.endpoint.port}`;
  const session = connect(authority, {
    createConnection: () => tls,
    settings: { initialWindowSize: RECEIVE_WINDOW_BYTES },
  });
  return new Promise<ClientHttp2Session>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new NetworkError('HTTP/2 setup timed out')),
      options.timeoutMs ?? 15_000,
    );
    function fail(error: NetworkError): void {
      clearTimeout(timer);
      session.destroy();
      tls.destroy();
      reject(error);
    }
    session.once('error', (error) => fail(new NetworkError('HTTP/2 session failed', { cause: error })));
    // A socket that closes before the server's SETTINGS (e.g. the proxy died) closes the session without
    // an error: fail now, not after the setup timeout.
    const closed = (): void => fail(new NetworkError('The connection closed during HTTP/2 setup'));
    session.once('close', closed);
    session.once('remoteSettings', () => {
      clearTimeout(timer);
      session.setLocalWindowSize(RECEIVE_WINDOW_BYTES);
      session.removeListener('close', closed);
      session.removeAllListeners('error');
      // Later session errors surface through the streams; keep one listener so they never crash.
      session.on('error', () => undefined);
      resolve(session);
    });
  });
}

export function closeHttp2Session(session: ClientHttp2Session): void {
  if (session.destroyed) return;
  session.close();
  // A server that does not answer GOAWAY promptly must not keep us open.
  setTimeout(() => {
    if (!session.destroyed) session.destroy(undefined, constants.NGHTTP2_NO_ERROR);
  }, 1000).unref();
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

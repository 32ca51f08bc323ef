import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { NetworkError, ProxyUnavailableError } from '../errors.js';
import type { ServiceEndpoint } from './config.js';
import type { SocketOpener } from './socket-opener.js';
import { isTlsProxyStream } from './tls-proxy-opener.js';

export interface TlsOptions {
  readonly endpoint: ServiceEndpoint;
  /** The only CAs trusted; system roots are never consulted. */
  readonly trustRootsPem: readonly string[];
  readonly openSocket: SocketOpener;
  /** ALPN; default ['h2']. */
  readonly alpn?: readonly string[];
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/**
 * Opens a TCP connection through the given SocketOpener (direct, SOCKS5, Tor) and performs a TLS handshake
 * that accepts only a chain ending at the configured trust roots and a certificate valid for the
 * endpoint's name. A failure of any step is a NetworkError; nothing falls back to another route.
 */
export async function openTls(options: TlsOptions): Promise<TLSSocket> {
  const { endpoint, signal } = options;
  if (options.trustRootsPem.length === 0) throw new NetworkError('No TLS trust root configured');
  const raw = await options.openSocket({ host: endpoint.host, port: endpoint.port }, signal);
  const servername = endpoint.servername ?? endpoint.host;
  return new Promise<TLSSocket>((resolve, reject) => {
    let settled = false;
    const tls = tlsConnect({
      socket: raw,
      servername: isIp(servername) ? undefined : servername,
      host: servername,
      ca: [...options.trustRootsPem],
      ALPNProtocols: [...(options.alpn ?? ['h2'])],
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    });
    const timer = setTimeout(
      () => fail(new NetworkError('TLS handshake timed out')),
      options.timeoutMs ?? 15_000,
    );
    const onAbort = (): void => fail(new NetworkError('Connection aborted', { cause: signal?.reason }));
    signal?.addEventListener('abort', onAbort, { once: true });
    function cleanup(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      tls.removeListener('error', onError);
    }
    function fail(error: NetworkError | ProxyUnavailableError): void {
      if (settled) return;
      settled = true;
      cleanup();
      tls.destroy();
      raw.destroy();
      reject(error);
    }
    function onError(error: Error): void {
      // A Signal TLS proxy's relay closes the stream on a name it does not serve, before any answer.
      if (isTlsProxyStream(raw) && !isCertificateError(error)) {
        fail(
          new ProxyUnavailableError(
            `The Signal TLS proxy did not relay the connection to ${servername}: it does not serve this ` +
              'server, or cannot reach it. Carapace never connects without the proxy.',
            { cause: error },
          ),
        );
        return;
      }
      fail(new NetworkError('TLS connection to the server failed', { cause: error }));
    }
    tls.once('error', onError);
    tls.once('secureConnect', () => {
      if (settled) return;
      if (!tls.authorized) {
        fail(new NetworkError('Server certificate is not trusted', { cause: tls.authorizationError }));
        return;
      }
      const wanted = options.alpn ?? ['h2'];
      if (!tls.alpnProtocol || !wanted.includes(tls.alpnProtocol)) {
        fail(new NetworkError('Server did not negotiate the expected protocol'));
        return;
      }
      settled = true;
      cleanup();
      resolve(tls);
    });
  });
}

/** The peer answered with a certificate we refuse (as opposed to the stream closing before an answer). */
function isCertificateError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /CERT|SELF_SIGNED|ISSUER|ALTNAME/.test(code);
}

function isIp(name: string): boolean {
  return /^[\d.]+$/.test(name) || name.includes(':');
}

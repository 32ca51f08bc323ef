import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { ProxyUnavailableError } from '../errors.js';
import type { SocketOpener } from './socket-opener.js';

/**
 * A Signal TLS proxy route (signalapp/Signal-TLS-Proxy) that fails closed.
 *
 * The opener connects to the proxy — never to the target — and opens TLS to it with the proxy's own name as
 * SNI. The stream it returns is that outer TLS; the transport then runs its usual TLS, pinned to Signal's CA,
 * INSIDE it. The proxy's relay reads the inner ClientHello's SNI (ssl_preread) and forwards the stream to
 * that Signal host, so the target's address and port are the relay's choice and are not sent.
 *
 * What is verified of the proxy: its certificate chains to a public CA (Node's bundled list) and names the
 * proxy host. That authenticates the proxy operator's host and keeps the inner SNI from the local network;
 * it protects no content — the inner pinned TLS does, even against a malicious proxy.
 *
 * Errors: proxy unreachable, timed out, or its TLS failing → ProxyUnavailableError. A name the relay does
 * not serve is seen by the inner handshake (the relay closes the stream): see `refusedByRelay`.
 */
export interface TlsProxyConfig {
  readonly host: string;
  readonly port: number;
  /** Tests only: trust this CA for the proxy's certificate instead of the public CAs. */
  readonly trustRootsPem?: readonly string[];
  /** TCP connect + outer TLS handshake. Default 20 s. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;

/** Streams this module opened: the inner TLS over one of them failing at once means the relay refused it. */
const relayedStreams = new WeakSet<Duplex>();

/** True when `stream` is an outer proxy stream (tls.ts words a refused inner handshake as the proxy's). */
export function isTlsProxyStream(stream: Duplex): boolean {
  return relayedStreams.has(stream);
}

function label(config: TlsProxyConfig): string {
  return `${net.isIPv6(config.host) ? `[${config.host}]` : config.host}:${config.port}`;
}

export function createTlsProxyOpener(config: TlsProxyConfig): SocketOpener {
  return (_target, signal) =>
    new Promise<Duplex>((resolve, reject) => {
      const unavailable = (why: string, cause?: unknown): ProxyUnavailableError =>
        new ProxyUnavailableError(
          `The Signal TLS proxy at ${label(config)} ${why}. Carapace never connects without it.`,
          cause === undefined ? undefined : { cause },
        );
      if (signal?.aborted) {
        reject(unavailable('was not tried: the connection was aborted', signal.reason));
        return;
      }
      // Only the proxy is ever dialled; the OS resolves its name (the proxy's name is no secret from the
      // network: it is in the outer SNI anyway).
      const raw = net.connect({ host: config.host, port: config.port, noDelay: true });
      let phase: 'connect' | 'tls' = 'connect';
      const socket = tls.connect({
        socket: raw,
        servername: net.isIP(config.host) === 0 ? config.host : undefined,
        host: config.host,
        ...(config.trustRootsPem !== undefined ? { ca: [...config.trustRootsPem] } : {}),
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
      });
      let settled = false;
      const finish = (error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        raw.removeListener('connect', onConnect);
        raw.removeListener('error', onError);
        socket.removeListener('error', onError);
        socket.removeListener('secureConnect', onSecure);
        if (error) {
          socket.destroy();
          raw.destroy();
          reject(error);
        } else {
          relayedStreams.add(socket);
          resolve(socket);
        }
      };
      const timer = setTimeout(
        () =>
          finish(unavailable(phase === 'connect' ? 'did not answer in time' : 'did not finish TLS in time')),
        config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      );
      const onAbort = (): void =>
        finish(unavailable('was not reached: the connection was aborted', signal?.reason));
      const onConnect = (): void => {
        phase = 'tls';
      };
      const onError = (error: Error): void => {
        finish(
          phase === 'connect'
            ? unavailable('cannot be reached', error)
            : unavailable(`failed the TLS handshake (${tlsFailure(error)})`, error),
        );
      };
      const onSecure = (): void => {
        // rejectUnauthorized already refuses an untrusted chain or a wrong name; this guards the invariant.
        if (!socket.authorized) finish(unavailable('presented a certificate that is not trusted'));
        else finish();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      raw.once('connect', onConnect);
      raw.once('error', onError);
      socket.once('error', onError);
      socket.once('secureConnect', onSecure);
    });
}

function tlsFailure(error: Error): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'its certificate is for another name';
  if (typeof code === 'string' && /CERT|SELF_SIGNED|ISSUER/.test(code))
    return 'its certificate is not trusted';
  return 'the connection was closed during the handshake';
}

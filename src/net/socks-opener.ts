import net from 'node:net';
import type { Duplex } from 'node:stream';
import { SocksClient } from 'socks';
import { NetworkError, ProxyAuthError, ProxyUnavailableError, ValidationError } from '../errors.js';
import { errorFields, log } from '../log.js';
import type { NetTarget, SocketOpener } from './socket-opener.js';

/**
 * A SOCKS5 route that fails closed.
 *
 * - The target host name is sent to the proxy as a name (SOCKS5 address type 3, "socks5h"): it is never
 *   resolved on this machine, so no DNS query leaks outside the proxy or Tor.
 * - This module opens exactly one kind of TCP connection: to the proxy. There is no code path that
 *   connects to the target directly, whatever the proxy does (down, refusing, wrong password, timeout).
 * - Errors are typed: the proxy cannot be reached → ProxyUnavailableError; it refuses our credentials →
 *   ProxyAuthError; the proxy works but cannot reach the target → NetworkError.
 */
export interface SocksProxyConfig {
  readonly host: string;
  readonly port: number;
  /** Tor stream isolation: a distinct username per account puts each account on its own circuits. */
  readonly username?: string;
  readonly password?: string;
  /** TCP connect + SOCKS handshake (including the proxy's connect to the target). Default 30 s (Tor). */
  readonly timeoutMs?: number;
}

const DEFAULT_SOCKS_TIMEOUT_MS = 30_000;

/** SOCKS5 reply codes (RFC 1928 §6), for messages. */
const SOCKS5_REPLY_TEXT: Readonly<Record<string, string>> = {
  Failure: 'general failure (often: the host name could not be resolved by the proxy)',
  NotAllowed: 'connection not allowed by the proxy rules',
  NetworkUnreachable: 'network unreachable',
  HostUnreachable: 'host unreachable',
  ConnectionRefused: 'connection refused by the target',
  TTLExpired: 'TTL expired',
  CommandNotSupported: 'command not supported by the proxy',
  AddressNotSupported: 'address type not supported by the proxy',
};

function proxyLabel(config: SocksProxyConfig): string {
  const host = net.isIPv6(config.host) ? `[${config.host}]` : config.host;
  return `${host}:${config.port}`;
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError');
}

/** Connects to the proxy itself (never the target). Resolves with a connected socket. */
function connectToProxy(
  config: SocksProxyConfig,
  deadline: number,
  signal?: AbortSignal,
): Promise<net.Socket> {
  return new Promise<net.Socket>((resolve, reject) => {
    // No Nagle: the SOCKS handshake is several tiny request/response writes; with Nagle + delayed ACK
    // each exchange can wait for a delayed ACK.
    const socket = net.connect({ host: config.host, port: config.port, noDelay: true });
    let settled = false;
    const timer = setTimeout(
      () => {
        fail(
          new ProxyUnavailableError(
            `The SOCKS5 proxy at ${proxyLabel(config)} did not answer in time. Carapace never connects without it.`,
          ),
        );
      },
      Math.max(1, deadline - Date.now()),
    );
    const onAbort = (): void => fail(abortReason(signal!));
    const cleanup = (): void => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
      socket.removeListener('connect', onConnect);
    };
    function fail(error: Error): void {
      if (settled) return;
      cleanup();
      socket.destroy();
      reject(error);
    }
    function onError(error: NodeJS.ErrnoException): void {
      fail(
        new ProxyUnavailableError(
          `The SOCKS5 proxy at ${proxyLabel(config)} is not reachable (${error.code ?? 'connection failed'}). ` +
            'Carapace never connects without it.',
          { cause: error },
        ),
      );
    }
    function onConnect(): void {
      if (settled) return;
      cleanup();
      resolve(socket);
    }
    socket.once('error', onError);
    socket.once('connect', onConnect);
    if (signal) {
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
  });
}

/** Maps the socks library's error text to our typed errors. */
function classifyHandshakeError(config: SocksProxyConfig, target: NetTarget, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const label = proxyLabel(config);
  if (message.includes('Authentication failed')) {
    return new ProxyAuthError(`The SOCKS5 proxy at ${label} rejected the username or password.`, {
      cause: error,
    });
  }
  if (
    message.includes('no accepted authentication type') ||
    message.includes('unknown authentication type')
  ) {
    const hint =
      config.username === undefined
        ? 'it requires a username and password, and none is set'
        : 'it does not accept username/password authentication';
    return new ProxyAuthError(`The SOCKS5 proxy at ${label} refused to authenticate us: ${hint}.`, {
      cause: error,
    });
  }
  if (message.includes('Socks5 proxy rejected connection')) {
    const code = message.split(' - ')[1]?.trim() ?? '';
    const reason = SOCKS5_REPLY_TEXT[code] ?? 'rejected';
    return new NetworkError(
      `The proxy at ${label} could not reach ${target.host}:${target.port}: ${reason}.`,
      { cause: error },
    );
  }
  if (message.includes('timed out')) {
    return new ProxyUnavailableError(
      `The SOCKS5 proxy at ${label} did not complete the connection in time. Carapace never connects without it.`,
      { cause: error },
    );
  }
  return new ProxyUnavailableError(
    `The SOCKS5 proxy at ${label} failed during the handshake (${message}). Carapace never connects without it.`,
    { cause: error },
  );
}

function checkTarget(target: NetTarget): { host: string; port: number } {
  let host = target.host;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.length === 0 || host.length > 255) throw new ValidationError('Invalid target host name.');
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
    throw new ValidationError('Invalid target port.');
  }
  return { host, port: target.port };
}

/**
 * Returns a SocketOpener that tunnels every connection through the given SOCKS5 proxy.
 * The returned Duplex is a plain TCP stream to the target (TLS is layered on top by the caller).
 */
export function createSocksOpener(config: SocksProxyConfig): SocketOpener {
  const timeoutMs = config.timeoutMs ?? DEFAULT_SOCKS_TIMEOUT_MS;
  if (config.password !== undefined && config.username === undefined) {
    throw new ValidationError('A proxy password needs a username.');
  }
  return async (target: NetTarget, signal?: AbortSignal): Promise<Duplex> => {
    const destination = checkTarget(target);
    if (signal?.aborted) throw abortReason(signal);
    const deadline = Date.now() + timeoutMs;
    let proxySocket: net.Socket;
    try {
      proxySocket = await connectToProxy(config, deadline, signal);
    } catch (error) {
      if (!signal?.aborted) log.warn('net.socks.failed', { proxyPort: config.port, ...errorFields(error) });
      throw error;
    }
    const onAbort = (): void => {
      proxySocket.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const { socket } = await SocksClient.createConnection({
        command: 'connect',
        proxy: {
          host: config.host,
          port: config.port,
          type: 5,
          ...(config.username !== undefined ? { userId: config.username } : {}),
          ...(config.password !== undefined ? { password: config.password } : {}),
        },
        // A host name stays a name here: the socks library sends it as SOCKS5 address type 3 (remote DNS).
        destination,
        existing_socket: proxySocket,
        timeout: Math.max(1, deadline - Date.now()),
      });
      if (signal?.aborted) {
        socket.destroy();
        throw abortReason(signal);
      }
      log.debug('net.socks.connected', { proxyPort: config.port, targetPort: destination.port });
      return socket;
    } catch (error) {
      proxySocket.destroy();
      if (signal?.aborted) throw abortReason(signal);
      const typed = classifyHandshakeError(config, target, error);
      log.warn('net.socks.failed', {
        proxyPort: config.port,
        targetPort: destination.port,
        ...errorFields(typed),
      });
      throw typed;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  };
}

import net from 'node:net';
import type { Duplex } from 'node:stream';
import { NetworkError, ValidationError } from '../errors.js';
import { errorFields, log } from '../log.js';
import { directSocketOpener } from './direct-opener.js';
import type { NetTarget, SocketOpener } from './socket-opener.js';
import { createSocksOpener } from './socks-opener.js';

/**
 * Network routes: how every outbound connection of the app leaves this machine.
 *
 * - `direct`: plain TCP (the OS resolves names).
 * - `socks5`: through a SOCKS5 proxy; names are resolved by the proxy; fails closed.
 * - `tor`: the Tor preset, SOCKS5 at 127.0.0.1:9050. Tor isolates streams by SOCKS credentials
 *   (IsolateSOCKSAuth is on by default), so an optional username/password puts this account on its own
 *   circuits.
 *
 * `{ mode: 'none' }` (the settings schema's spelling) is accepted as an alias of `direct`.
 */
export type RouteConfig =
  | { readonly mode: 'direct' }
  | {
      readonly mode: 'socks5';
      readonly host: string;
      readonly port: number;
      readonly username?: string;
      readonly password?: string;
    }
  | { readonly mode: 'tor'; readonly username?: string; readonly password?: string };

export const TOR_SOCKS_HOST = '127.0.0.1';
export const TOR_SOCKS_PORT = 9050;
export const DIRECT_ROUTE: RouteConfig = Object.freeze({ mode: 'direct' });

const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

function isHostName(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  const labels = (host.endsWith('.') ? host.slice(0, -1) : host).split('.');
  // A name whose last label is all digits would be an (invalid) IPv4 address, not a name.
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return false;
  return labels.every((label) => HOST_LABEL.test(label));
}

/** Validates a proxy host: a DNS name or an IPv4/IPv6 literal (brackets allowed and removed). */
export function validateProxyHost(input: unknown): string {
  if (typeof input !== 'string') throw new ValidationError('The proxy host must be text.');
  let host = input.trim();
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.length === 0) throw new ValidationError('Enter the proxy host.');
  if (net.isIP(host) !== 0 || isHostName(host)) return host;
  throw new ValidationError('The proxy host must be a host name or an IP address (no scheme, port or path).');
}

export function validateProxyPort(input: unknown): number {
  if (typeof input !== 'number' || !Number.isInteger(input) || input < 1 || input > 65535) {
    throw new ValidationError('The proxy port must be a whole number between 1 and 65535.');
  }
  return input;
}

/** RFC 1929: username and password are 1..255 bytes. */
function validateCredential(input: unknown, what: 'username' | 'password'): string | undefined {
  if (input === undefined) return undefined;
  if (typeof input !== 'string') throw new ValidationError(`The proxy ${what} must be text.`);
  const bytes = Buffer.byteLength(input, 'utf8');
  if (bytes < 1 || bytes > 255) throw new ValidationError(`The proxy ${what} must be 1 to 255 bytes long.`);
  return input;
}

function validateCredentials(record: Record<string, unknown>): { username?: string; password?: string } {
  const username = validateCredential(record.username, 'username');
  const password = validateCredential(record.password, 'password');
  if (password !== undefined && username === undefined) {
    throw new ValidationError('A proxy password needs a username.');
  }
  return {
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
  };
}

/** Parses untrusted input (settings, API) into a RouteConfig, or throws ValidationError. */
export function validateRoute(input: unknown): RouteConfig {
  if (typeof input !== 'object' || input === null) throw new ValidationError('A network route is required.');
  const record = input as Record<string, unknown>;
  const allowed = (keys: string[]): void => {
    for (const key of Object.keys(record)) {
      if (!keys.includes(key)) throw new ValidationError(`Unknown network route field: ${key.slice(0, 40)}`);
    }
  };
  switch (record.mode) {
    case 'direct':
    case 'none':
      allowed(['mode']);
      return DIRECT_ROUTE;
    case 'socks5': {
      allowed(['mode', 'host', 'port', 'username', 'password']);
      const host = validateProxyHost(record.host);
      const port = validateProxyPort(record.port);
      return Object.freeze({ mode: 'socks5', host, port, ...validateCredentials(record) });
    }
    case 'tor':
      allowed(['mode', 'username', 'password']);
      return Object.freeze({ mode: 'tor', ...validateCredentials(record) });
    default:
      throw new ValidationError('The network route must be direct, socks5 or tor.');
  }
}

/** A description without secrets, for the UI and logs. */
export function describeRoute(route: RouteConfig): string {
  switch (route.mode) {
    case 'direct':
      return 'direct';
    case 'socks5': {
      const host = net.isIPv6(route.host) ? `[${route.host}]` : route.host;
      return `SOCKS5 ${host}:${route.port}${route.username !== undefined ? ' (with login)' : ''}`;
    }
    case 'tor':
      return `Tor ${TOR_SOCKS_HOST}:${TOR_SOCKS_PORT}${route.username !== undefined ? ' (isolated)' : ''}`;
  }
}

export function sameRoute(a: RouteConfig, b: RouteConfig): boolean {
  if (a.mode !== b.mode) return false;
  if (a.mode === 'direct' || b.mode === 'direct') return true;
  const hostA = a.mode === 'socks5' ? `${a.host}:${a.port}` : '';
  const hostB = b.mode === 'socks5' ? `${b.host}:${b.port}` : '';
  return hostA === hostB && a.username === b.username && a.password === b.password;
}

export interface OpenerOptions {
  /** The direct opener (tests may inject one that counts). Defaults to the transport's directSocketOpener. */
  readonly directOpener?: SocketOpener;
  /** SOCKS connect + handshake timeout. */
  readonly socksTimeoutMs?: number;
}

/** The SocketOpener for a route. A SOCKS/Tor opener never falls back to a direct connection. */
export function openerForRoute(route: RouteConfig, options: OpenerOptions = {}): SocketOpener {
  const checked = validateRoute(route);
  const timeout = options.socksTimeoutMs !== undefined ? { timeoutMs: options.socksTimeoutMs } : {};
  switch (checked.mode) {
    case 'direct':
      return options.directOpener ?? directSocketOpener;
    case 'socks5':
      return createSocksOpener({ ...checked, ...timeout });
    case 'tor':
      return createSocksOpener({
        host: TOR_SOCKS_HOST,
        port: TOR_SOCKS_PORT,
        ...(checked.username !== undefined ? { username: checked.username } : {}),
        ...(checked.password !== undefined ? { password: checked.password } : {}),
        ...timeout,
      });
  }
}

/**
 * Checks a route before (or after) the user saves it — the settings screen's "Test connection": opens one
 * TCP connection to `target` through the route and closes it at once. Resolves when the route works;
 * otherwise throws the same typed errors real traffic would (ValidationError, ProxyUnavailableError,
 * ProxyAuthError, NetworkError). Nothing is sent beyond the SOCKS handshake.
 */
export async function probeRoute(
  route: unknown,
  target: NetTarget,
  options: OpenerOptions & { readonly signal?: AbortSignal } = {},
): Promise<void> {
  const opener = openerForRoute(validateRoute(route), options);
  const socket = await opener(target, options.signal);
  socket.destroy();
}

export interface RouteChange {
  readonly previous: RouteConfig;
  readonly current: RouteConfig;
  /** Increments on every change; sockets from older generations have been destroyed. */
  readonly generation: number;
}

export type RouteListener = (change: RouteChange) => void | Promise<void>;

/**
 * Holds the current route for the whole app. Everything that connects asks `currentOpener()` (or uses the
 * live `opener`, which always follows the current route) — nothing caches a route.
 *
 * On a change: (1) the new route takes effect for every later connection, (2) every socket opened through
 * the previous route is destroyed, so no connection keeps using the old path (e.g. a direct socket after
 * the user turned Tor on), (3) a connection that was still being opened through the old route is
 * destroyed when it completes and fails with NetworkError, (4) subscribers are notified (the chat
 * WebSocket tears down and reconnects through the new route).
 */
export class NetworkRouteManager {
  #route: RouteConfig;
  #generation = 0;
  #base: SocketOpener;
  readonly #options: OpenerOptions;
  readonly #sockets = new Set<Duplex>();
  readonly #listeners = new Set<RouteListener>();

  /** Always routes through whatever route is current at call time. */
  readonly opener: SocketOpener = (target, signal) => this.#open(target, signal);

  constructor(initial: unknown = DIRECT_ROUTE, options: OpenerOptions = {}) {
    this.#options = options;
    this.#route = validateRoute(initial);
    this.#base = openerForRoute(this.#route, options);
  }

  currentRoute(): RouteConfig {
    return this.#route;
  }

  get generation(): number {
    return this.#generation;
  }

  /** The opener of the current route; connections it opens are closed when the route changes. */
  currentOpener(): SocketOpener {
    return this.opener;
  }

  /** Number of open sockets handed out (for tests and diagnostics). */
  openSocketCount(): number {
    return this.#sockets.size;
  }

  onRouteChanged(listener: RouteListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Validates and applies a new route. Resolves with the change after every listener has settled, or with
   * null when the route is the same. Listener failures are logged and do not undo the change.
   */
  async setRoute(next: unknown): Promise<RouteChange | null> {
    const route = validateRoute(next);
    if (sameRoute(route, this.#route)) return null;
    const base = openerForRoute(route, this.#options);
    const previous = this.#route;
    this.#route = route;
    this.#base = base;
    this.#generation += 1;
    const change: RouteChange = { previous, current: route, generation: this.#generation };
    const stale = [...this.#sockets];
    this.#sockets.clear();
    for (const socket of stale) socket.destroy();
    log.info('net.route.changed', {
      from: previous.mode,
      to: route.mode,
      generation: this.#generation,
      closedSockets: stale.length,
    });
    const results = await Promise.allSettled([...this.#listeners].map(async (listener) => listener(change)));
    for (const result of results) {
      if (result.status === 'rejected') log.warn('net.route.listener_failed', errorFields(result.reason));
    }
    return change;
  }

  /** Destroys every socket handed out (e.g. on lock or shutdown). The route stays as it is. */
  closeAll(): void {
    const sockets = [...this.#sockets];
    this.#sockets.clear();
    for (const socket of sockets) socket.destroy();
  }

  async #open(target: NetTarget, signal?: AbortSignal): Promise<Duplex> {
    const generation = this.#generation;
    const socket = await this.#base(target, signal);
    if (generation !== this.#generation) {
      socket.destroy();
      throw new NetworkError('The network route changed while connecting. Retry through the new route.');
    }
    this.#sockets.add(socket);
    socket.once('close', () => {
      this.#sockets.delete(socket);
    });
    return socket;
  }
}

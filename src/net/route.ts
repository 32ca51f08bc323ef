import type { Duplex } from 'node:stream';
import { NetworkError, ValidationError } from '../errors.js';
import { errorFields, log } from '../log.js';
import {
  proxySettingSchema,
  SIGNAL_TLS_PROXY_DEFAULT_PORT,
  TOR_SOCKS_HOST,
  TOR_SOCKS_PORT,
  type ProxySetting,
} from '../settings/schema.js';
import { directSocketOpener } from './direct-opener.js';
import type { NetTarget, SocketOpener } from './socket-opener.js';
import { createSocksOpener } from './socks-opener.js';
import { createTlsProxyOpener } from './tls-proxy-opener.js';

/**
 * Network routes: how every outbound connection of the app leaves this machine.
 *
 * - `direct`: plain TCP (the OS resolves names).
 * - `socks5`: through a SOCKS5 proxy; names are resolved by the proxy; fails closed.
 * - `tor`: the Tor preset, SOCKS5 at TOR_SOCKS_HOST:TOR_SOCKS_PORT (from the settings schema).
 * - `signal-tls-proxy`: TLS to a Signal TLS proxy, which relays the pinned TLS inside it by its SNI; fails closed.
 *
 * A route is the settings' proxy choice: it is validated by the settings schema (one rule, so a setting the
 * store accepted is never refused here), and `{ mode: 'none' }`, the settings' spelling, means `direct`.
 */
export type RouteConfig =
  | { readonly mode: 'direct' }
  | Readonly<Extract<ProxySetting, { mode: 'socks5' }>>
  | { readonly mode: 'tor' }
  | Readonly<Extract<ProxySetting, { mode: 'signal-tls-proxy' }>>;

export const DIRECT_ROUTE: RouteConfig = Object.freeze({ mode: 'direct' });

/** Parses untrusted input (settings, API) into a RouteConfig, or throws ValidationError. */
export function validateRoute(input: unknown): RouteConfig {
  const direct =
    typeof input === 'object' && input !== null && (input as { mode?: unknown }).mode === 'direct';
  const parsed = proxySettingSchema.safeParse(direct ? { ...input, mode: 'none' } : input);
  if (!parsed.success) {
    throw new ValidationError(parsed.error.issues.map((issue) => issue.message).join(' '));
  }
  return parsed.data.mode === 'none' ? DIRECT_ROUTE : Object.freeze(parsed.data);
}

function sameRoute(a: RouteConfig, b: RouteConfig): boolean {
  if (a.mode === 'socks5' && b.mode === 'socks5') {
    return a.host === b.host && a.port === b.port && a.username === b.username && a.password === b.password;
  }
  if (a.mode === 'signal-tls-proxy' && b.mode === 'signal-tls-proxy') {
    return (
      a.host === b.host &&
      (a.port ?? SIGNAL_TLS_PROXY_DEFAULT_PORT) === (b.port ?? SIGNAL_TLS_PROXY_DEFAULT_PORT)
    );
  }
  return a.mode === b.mode;
}

export interface OpenerOptions {
  /** The direct opener (tests may inject one that counts). Defaults to the transport's directSocketOpener. */
  readonly directOpener?: SocketOpener;
  /** SOCKS connect + handshake timeout. */
  readonly socksTimeoutMs?: number;
  /**
   * Tests only (never from settings): the CA that signs a local Signal TLS proxy's certificate, trusted
   * instead of the public CAs. See src/net/tls-proxy-opener.ts.
   */
  readonly tlsProxyTrustRootsPem?: readonly string[];
}

/** The SocketOpener for a route. A proxy (SOCKS, Tor, Signal TLS proxy) never falls back to a direct connection. */
export function openerForRoute(route: RouteConfig, options: OpenerOptions = {}): SocketOpener {
  const checked = validateRoute(route);
  const timeout = options.socksTimeoutMs !== undefined ? { timeoutMs: options.socksTimeoutMs } : {};
  switch (checked.mode) {
    case 'direct':
      return options.directOpener ?? directSocketOpener;
    case 'socks5':
      return createSocksOpener({
        host: checked.host,
        port: checked.port,
        ...(checked.username !== undefined ? { username: checked.username } : {}),
        ...(checked.password !== undefined ? { password: checked.password } : {}),
        ...timeout,
      });
    case 'tor':
      return createSocksOpener({ host: TOR_SOCKS_HOST, port: TOR_SOCKS_PORT, ...timeout });
    case 'signal-tls-proxy':
      return createTlsProxyOpener({
        host: checked.host,
        port: checked.port ?? SIGNAL_TLS_PROXY_DEFAULT_PORT,
        ...(options.tlsProxyTrustRootsPem !== undefined
          ? { trustRootsPem: options.tlsProxyTrustRootsPem }
          : {}),
      });
  }
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

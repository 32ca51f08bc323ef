import type { Duplex } from 'node:stream';

/** Where a connection goes. `host` is a DNS name or IP; with a SOCKS route it is resolved by the proxy. */
export interface NetTarget {
  readonly host: string;
  readonly port: number;
}

/**
 * The one seam through which every outbound TCP connection of the app is opened: REST, the chat
 * WebSocket, CDN, link previews. TLS is layered on top by the transport. A route (direct, SOCKS5, Tor)
 * is a SocketOpener; a SOCKS opener must fail closed (ProxyUnavailableError / ProxyAuthError) and never
 * fall back to a direct connection.
 */
export type SocketOpener = (target: NetTarget, signal?: AbortSignal) => Promise<Duplex>;

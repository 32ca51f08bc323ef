/**
 * Where a preview connection goes. On the DIRECT route the name is resolved here, once, every address it
 * resolves to is checked (isBlockedAddress), and the connection goes to the checked address: no second
 * lookup between check and connect, so a DNS answer cannot change under us (rebinding). TLS still uses the
 * name (SNI, certificate check, Host header), which link-preview.ts takes from the URL, not the socket.
 * Through a proxy (SOCKS5/Tor) the proxy resolves the name: a local lookup would leak the name outside the
 * proxy. The proxy can therefore reach whatever its own network can (its LAN, its loopback); blocked IP
 * literals are still refused before any connection (checkPreviewUrl).
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { LinkPreviewError } from '../errors.js';
import { isBlockedAddress } from './link-preview-url.js';
import type { SocketOpener } from './socket-opener.js';

export interface ResolvedAddress {
  readonly address: string;
}

/** Resolves a host name to every address it has (tests inject one; the app uses the OS resolver). */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/** The session's route as previews see it: its live opener (NetworkRouteManager's) and which kind it is. */
export interface PreviewRoutes {
  readonly opener: SocketOpener;
  /** True only when connections leave directly; false through a proxy, or when unsure (no local lookup). */
  isDirect(): boolean;
}

export interface PreviewOpenerOptions {
  readonly resolve?: Resolver;
  /** Tests on 127.0.0.1 only. */
  readonly allowLocalHosts?: boolean;
}

async function checkedAddress(host: string, resolve: Resolver, allowLocalHosts: boolean): Promise<string> {
  const blocked = (address: string): boolean => !allowLocalHosts && isBlockedAddress(address);
  if (net.isIP(host) !== 0) {
    if (blocked(host)) throw new LinkPreviewError('blocked-host');
    return host;
  }
  let addresses: readonly ResolvedAddress[];
  try {
    addresses = await resolve(host);
  } catch (error) {
    throw new LinkPreviewError('unreachable', { cause: error });
  }
  const first = addresses[0];
  if (first === undefined) throw new LinkPreviewError('unreachable');
  // Every address, not only the one used: a name that also points inside the network is refused outright.
  if (addresses.some((entry) => net.isIP(entry.address) === 0 || blocked(entry.address))) {
    throw new LinkPreviewError('blocked-host');
  }
  return first.address;
}

/**
 * A SocketOpener for previews that follows the current route: direct → resolve, check, connect to the
 * checked address; proxy → hand the name to the proxy.
 */
export function previewOpener(routes: PreviewRoutes, options: PreviewOpenerOptions = {}): SocketOpener {
  const resolve = options.resolve ?? systemResolver;
  const allowLocalHosts = options.allowLocalHosts ?? false;
  return async (target, signal) => {
    // Through a proxy the name goes to it unresolved. If the route turns into a proxy during the lookup
    // below, the checked address goes through the proxy: the lookup happened while the route was direct,
    // as if the preview had started a moment earlier. A name is never sent unchecked to a direct route.
    if (!routes.isDirect()) return routes.opener(target, signal);
    const address = await checkedAddress(target.host, resolve, allowLocalHosts);
    return routes.opener({ host: address, port: target.port }, signal);
  };
}

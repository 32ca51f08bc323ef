/**
 * Which links and addresses a preview may reach: https only, no embedded credentials, and (unless a test
 * allows it) no address of this machine, the user's networks or any range that embeds one, so a typed link
 * cannot make the app probe the user's LAN or this machine.
 */
import net from 'node:net';
import { LinkPreviewError } from '../errors.js';

function blockList(family: 'ipv4' | 'ipv6', ranges: ReadonlyArray<readonly [string, number]>): net.BlockList {
  const list = new net.BlockList();
  for (const [prefix, bits] of ranges) list.addSubnet(prefix, bits, family);
  return list;
}

// Two lists: Node's BlockList matches an IPv4 address against IPv6 rules through its v4-mapped form, so
// one list holding ::ffff:0:0/96 would block every IPv4 address.
const BLOCKED_V4 = blockList('ipv4', [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
]);

const BLOCKED_V6 = blockList('ipv6', [
  ['::', 96], // unspecified, loopback (::1) and v4-compatible (::a.b.c.d)
  ['::ffff:0:0', 96], // v4-mapped
  ['64:ff9b::', 96], // NAT64
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard-only
  ['2001::', 32], // Teredo (embeds an IPv4 address)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4 (embeds an IPv4 address)
  ['fc00::', 7], // unique local (private)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed by some stacks)
  ['ff00::', 8], // multicast
]);

/** True for an IP address (v4 or v6, without brackets) a preview must never connect to. */
export function isBlockedAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return BLOCKED_V4.check(address, 'ipv4');
  if (family === 6) return BLOCKED_V6.check(address, 'ipv6');
  return true; // not an address at all: refuse rather than guess
}

/** The URL's host without IPv6 brackets or a trailing dot, lower-cased. */
function bareHostname(url: URL): string {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return host.toLowerCase().replace(/\.$/, '');
}

function isLocalName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

/**
 * Parses and checks a link: https only, no embedded credentials, no local name or blocked IP literal
 * unless allowed. Host NAMES are checked again after resolution (link-preview-route.ts) on the direct
 * route; through a proxy the proxy resolves them. Every refusal is the one generic LinkPreviewError.
 */
export function checkPreviewUrl(input: string | URL, allowLocalHosts = false): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch (error) {
    throw new LinkPreviewError('invalid-url', { cause: error });
  }
  if (url.protocol !== 'https:') throw new LinkPreviewError('not-https');
  if (url.username !== '' || url.password !== '') throw new LinkPreviewError('blocked-host');
  const host = bareHostname(url);
  if (host.length === 0) throw new LinkPreviewError('invalid-url');
  if (!allowLocalHosts && (isLocalName(host) || (net.isIP(host) !== 0 && isBlockedAddress(host)))) {
    throw new LinkPreviewError('blocked-host');
  }
  url.hash = '';
  return url;
}

/**
 * Which links a preview may be made for: https only, no embedded credentials, and (unless a test allows
 * it) no loopback, private, link-local or multicast address, so a typed link cannot make the app probe
 * the user's LAN or this machine.
 */
import net from 'node:net';
import { LinkPreviewError, ValidationError } from '../errors.js';

const LOCAL_ADDRESSES = (() => {
  const list = new net.BlockList();
  for (const [prefix, bits] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const) {
    list.addSubnet(prefix, bits, 'ipv4');
  }
  for (const [prefix, bits] of [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
  ] as const) {
    list.addSubnet(prefix, bits, 'ipv6');
  }
  return list;
})();

function isLocalHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = net.isIP(host);
  if (family === 4) return LOCAL_ADDRESSES.check(host, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host)?.[1];
    return mapped !== undefined ? LOCAL_ADDRESSES.check(mapped, 'ipv4') : LOCAL_ADDRESSES.check(host, 'ipv6');
  }
  return false;
}

/** Parses and checks a link: https only, no embedded credentials, no local hosts unless allowed. */
export function checkPreviewUrl(input: string | URL, allowLocalHosts = false): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch (error) {
    throw new ValidationError('That is not a valid link.', { cause: error });
  }
  if (url.protocol !== 'https:') {
    throw new LinkPreviewError('not-https', 'Previews are made only for https links.');
  }
  if (url.username !== '' || url.password !== '') {
    throw new LinkPreviewError('blocked-host', 'Links that carry a user name or password are not previewed.');
  }
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (hostname.length === 0) throw new ValidationError('That link has no host.');
  if (!allowLocalHosts && isLocalHost(hostname)) {
    throw new LinkPreviewError(
      'blocked-host',
      'Links to this computer or the local network are not previewed.',
    );
  }
  url.hash = '';
  return url;
}

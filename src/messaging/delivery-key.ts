import { uuidText } from '../signal/bytes.js';
import type { Envelope } from '../signal/proto/signal-service.js';

/**
 * How a received envelope is remembered, so that a re-delivery (we committed it, the ack did not reach the
 * server) is skipped before it is decrypted: `messages.server_guid`, a UNIQUE column, holds the server's
 * timestamp of the envelope (12 hex digits of milliseconds) then the server's GUID, `018c5f3a2b10:6f1d…`.
 *
 * Why the timestamp comes first: the server's GUIDs are random, and a key of the GUID alone put each insert
 * on a random page of the index. Once the index outgrew a batch, every message dirtied (and re-encrypted)
 * a page of its own, so receiving cost more the longer the history (bench/store-into-history.ts). The
 * server's timestamps grow with its queue, so new keys land on the index's last pages. A re-delivery
 * carries the same timestamp and GUID, so its key is the same.
 */
export function envelopeDeliveryKey(
  envelope: Pick<Envelope, 'serverGuid' | 'serverGuidBinary' | 'serverTimestamp'>,
): string | undefined {
  const guid =
    envelope.serverGuid ??
    (envelope.serverGuidBinary?.length === 16 ? uuidText(envelope.serverGuidBinary) : undefined);
  if (!guid) return undefined;
  const time = Math.max(0, Math.floor(envelope.serverTimestamp ?? 0));
  return `${time.toString(16).padStart(12, '0')}:${guid}`;
}

/**
 * The stored forms a key may have: itself, and the bare GUID that rows received before this format hold
 * (so an envelope committed just before an upgrade is still recognised when it comes again).
 */
export function storedDeliveryKeys(key: string): readonly [string, string] {
  const separator = key.indexOf(':');
  return [key, separator < 0 ? key : key.slice(separator + 1)];
}

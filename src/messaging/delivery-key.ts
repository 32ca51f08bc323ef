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
 * How far a server's clock may run ahead of ours: an envelope stored under a bare GUID was taken by the
 * server before we stored it, by the server's clock, which we allow to be this much ahead of our own.
 */
const CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

/**
 * The stored forms to look a key up by: itself, and — only for an envelope the server took before
 * `legacyUntil` (when the vault's last row with a bare GUID arrived; 0 when it has none) — the bare GUID,
 * so an envelope committed just before the upgrade is still recognised when it comes again.
 */
export function storedDeliveryKeys(key: string, legacyUntil: number): readonly string[] {
  const separator = key.indexOf(':');
  if (separator < 0) return [key];
  const serverTime = Number.parseInt(key.slice(0, separator), 16);
  const legacy = legacyUntil > 0 && !(serverTime > legacyUntil + CLOCK_SKEW_MS);
  return legacy ? [key, key.slice(separator + 1)] : [key];
}

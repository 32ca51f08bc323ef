import { randomUUID } from 'node:crypto';

/**
 * A message row's id: a UUIDv7 (RFC 9562) — the creation time in milliseconds in the first 48 bits, then
 * 74 random bits. Ids made later sort later, so the UNIQUE index on `messages.id` (and the indexes keyed by
 * message id: reactions, quotes, recipients) grows at its end. With random v4 ids each insert landed on a
 * random index page, and the cost of receiving a message grew with the size of the history
 * (bench/store-into-history.ts). The time in the id is no more than the row's
 * `received_at` already says, and the id never leaves this device.
 */
export function timeOrderedId(nowMs: number): string {
  const time = Math.max(0, Math.floor(nowMs)).toString(16).padStart(12, '0').slice(-12);
  // A v4 UUID's random digits after its version digit: `xxx-Vxxx-xxxxxxxxxxxx` (V: the variant, 8–b).
  const random = randomUUID().slice(15);
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random}`;
}

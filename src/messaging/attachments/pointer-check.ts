/**
 * An incoming AttachmentPointer is judged once, when its message is stored: one that can never be
 * downloaded (no key/digest/size, wrong key or digest length, no usable CDN location, a CDN Signal does
 * not run) is a permanent failure at once — its keys are never stored and no download is ever tried, so
 * a hostile contact cannot leave work that is retried on every connect (issue 12.10).
 */
import type { AttachmentFailure } from './errors.js';
import { MAX_ATTACHMENT_BYTES } from './limits.js';
import type { AttachmentPointer } from '../../signal/proto/signal-service.js';

/** The CDNs Signal serves attachments from (Signal-Desktop downloads from 0, 2 and 3). */
const SIGNAL_CDN_NUMBERS = new Set([0, 2, 3]);
/** The same rule src/net/cdn.ts applies to a download path. */
const CDN_KEY_PATTERN = /^[A-Za-z0-9_\-.=]{1,256}$/;
/** AES-256 key + HMAC-SHA256 key, and a SHA-256 digest. */
const KEY_BYTES = 64;
const DIGEST_BYTES = 32;

/** Why this pointer can never be downloaded, or undefined when it may be. */
export function pointerFailure(pointer: AttachmentPointer): AttachmentFailure | undefined {
  if (!pointer.key || !pointer.digest || pointer.size === undefined) return 'missing-pointer-field';
  if (pointer.key.length !== KEY_BYTES || pointer.digest.length !== DIGEST_BYTES) return 'malformed';
  if (!Number.isSafeInteger(pointer.size) || pointer.size < 0) return 'malformed';
  if (pointer.size > MAX_ATTACHMENT_BYTES) return 'too-large';
  if (!SIGNAL_CDN_NUMBERS.has(pointer.cdnNumber ?? 0)) return 'malformed';
  if (pointer.cdnKey !== undefined && pointer.cdnKey !== '') {
    return CDN_KEY_PATTERN.test(pointer.cdnKey) && !pointer.cdnKey.includes('..') ? undefined : 'malformed';
  }
  return pointer.cdnId !== undefined && Number.isSafeInteger(pointer.cdnId) && pointer.cdnId > 0
    ? undefined
    : 'malformed';
}

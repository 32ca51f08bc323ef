/**
 * What one incoming message may carry — Signal's own limits, so a hostile contact's message costs bounded
 * work and storage (issues 13.4, 13.5):
 *
 * - Signal-Desktop keeps the first 32 attachments of a message and drops the rest (`ATTACHMENT_MAX = 32`
 *   in ts/textsecure/processDataMessage.preload.ts).
 * - Signal sends at most 2 KiB of text inline and the whole text (up to 64 KiB) as one attachment of type
 *   `text/x-signal-plain`, which replaces the body once downloaded (`MAX_MESSAGE_BODY_BYTE_LENGTH` and
 *   `MAX_BODY_ATTACHMENT_BYTE_LENGTH` in ts/util/longAttachment.std.ts; the first such attachment is the
 *   body, further ones are dropped: `partitionBodyAndNormalAttachments` in ts/util/Attachment.std.ts).
 *   We accept inline text up to the same 64 KiB (other clients send longer inline bodies) and cut anything
 *   longer there — truncated, not refused, so the message and its attachments still arrive.
 */
export const MAX_ATTACHMENTS_PER_MESSAGE = 32;
export const MAX_BODY_BYTES = 64 * 1024;
export const LONG_TEXT_CONTENT_TYPE = 'text/x-signal-plain';

/** The text cut to MAX_BODY_BYTES of UTF-8 on a character boundary (unchanged when it fits). */
export function boundBody(text: string): string {
  if (text.length <= MAX_BODY_BYTES / 3) return text; // cannot exceed: at most 3 bytes per UTF-16 unit
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= MAX_BODY_BYTES) return text;
  let end = MAX_BODY_BYTES;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1; // back off a continuation byte
  return bytes.subarray(0, end).toString('utf8');
}

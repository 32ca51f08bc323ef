/**
 * The rules a link preview obeys wherever it appears — composer, API, outgoing and incoming messages —
 * in one platform-free place (the contract re-exports them for the renderer).
 *
 * Signal's rule: a preview belongs to a message only if its link appears in the message's body; a
 * preview for anything else (a link the reader cannot see) is dropped on sending and on receipt. Only
 * https links without embedded credentials count.
 */
export const PREVIEW_MAX_URL_CHARS = 2048;
export const PREVIEW_MAX_TITLE_CHARS = 300;
export const PREVIEW_MAX_DESCRIPTION_CHARS = 1000;
/** The preview image's byte cap (fetching stops there; a received one larger than this is not kept). */
export const PREVIEW_MAX_IMAGE_BYTES = 1024 * 1024;

function isHttpsLink(text: string): boolean {
  if (text.length > PREVIEW_MAX_URL_CHARS) return false;
  try {
    const url = new URL(text);
    return url.protocol === 'https:' && url.username === '' && url.password === '' && url.hostname !== '';
  } catch {
    return false;
  }
}

/** True when `url` is an https link written out in `body` (Signal's rule for a preview to be shown). */
export function previewBelongsTo(url: string, body: string): boolean {
  return isHttpsLink(url) && body.includes(url);
}

const HTTPS_LINK = /\bhttps:\/\/[^\s<>"'`]+/i;

/**
 * The first https link in a draft, exactly as written (trailing punctuation dropped), so it is found in
 * the body that is sent; undefined when there is none.
 */
export function firstHttpsLink(draft: string): string | undefined {
  const match = HTTPS_LINK.exec(draft.slice(0, 10_000))?.[0];
  if (match === undefined) return undefined;
  const trimmed = match.replace(/[.,;:!?)\]}]+$/, '');
  return isHttpsLink(trimmed) ? trimmed : undefined;
}

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

// C0/C1 controls, and the directional marks/overrides/isolates that can reorder what the user sees.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Single-line, safe-to-display text capped at `max` code points (with an ellipsis); undefined if empty. */
export function cleanPreviewText(text: string, max: number): string | undefined {
  const clean = text.replace(UNSAFE_CHARS, ' ').replace(/\s+/g, ' ').trim();
  if (clean.length === 0) return undefined;
  // 2·max + 1 UTF-16 units hold more than `max` code points unless they are the whole text.
  const head = Array.from(clean.slice(0, max * 2 + 1));
  return head.length > max ? `${head.slice(0, max - 1).join('')}\u2026` : clean;
}

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
function previewBelongsTo(url: string, body: string): boolean {
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

/** A preview's text as it may be stored, sent and shown. */
export interface PreviewText {
  readonly url: string;
  readonly title: string;
  readonly description: string | null;
}

/**
 * The preview a message may carry (sent or received): its link must be an https link written in the
 * body, its text is cleaned and bounded; anything else gives undefined (the preview is dropped, the
 * message is not). A preview without a title shows its link's domain instead.
 */
export function acceptPreview(
  preview: { readonly url?: string; readonly title?: string; readonly description?: string },
  body: string,
): PreviewText | undefined {
  const url = preview.url;
  if (url === undefined || !previewBelongsTo(url, body)) return undefined;
  return {
    url,
    title: cleanPreviewText(preview.title ?? '', PREVIEW_MAX_TITLE_CHARS) ?? '',
    description: cleanPreviewText(preview.description ?? '', PREVIEW_MAX_DESCRIPTION_CHARS) ?? null,
  };
}

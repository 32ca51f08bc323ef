/**
 * A small, defensive HTML metadata reader for link previews. No DOM, no scripts, no network: it reads
 * og:title / og:description / og:image (and <title> / meta description as fallbacks) out of untrusted
 * HTML with bounded regular expressions, decodes entities, strips control and bidi-override characters
 * (which could disguise a title) and caps every length.
 */
export interface PageMetadata {
  readonly title?: string;
  readonly description?: string;
  /** Absolute https URL of the preview image, if the page names one. Never handed to the renderer. */
  readonly imageUrl?: string;
}

export const MAX_TITLE_CHARS = 300;
export const MAX_DESCRIPTION_CHARS = 1000;
export const MAX_URL_CHARS = 2048;
/** Only this much of a page is examined (the metadata lives in <head>). */
export const MAX_SCAN_CHARS = 1024 * 1024;

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  ndash: '\u2013',
  mdash: '\u2014',
  hellip: '\u2026',
  lsquo: '\u2018',
  rsquo: '\u2019',
  sbquo: '\u201a',
  ldquo: '\u201c',
  rdquo: '\u201d',
  bdquo: '\u201e',
  laquo: '\u00ab',
  raquo: '\u00bb',
  middot: '\u00b7',
  bull: '\u2022',
  copy: '\u00a9',
  reg: '\u00ae',
  trade: '\u2122',
  euro: '\u20ac',
  pound: '\u00a3',
  yen: '\u00a5',
  cent: '\u00a2',
  deg: '\u00b0',
  times: '\u00d7',
  divide: '\u00f7',
  eacute: '\u00e9',
  egrave: '\u00e8',
  agrave: '\u00e0',
  aacute: '\u00e1',
  ccedil: '\u00e7',
  uuml: '\u00fc',
  ouml: '\u00f6',
  auml: '\u00e4',
  Uuml: '\u00dc',
  Ouml: '\u00d6',
  Auml: '\u00c4',
  szlig: '\u00df',
  ntilde: '\u00f1',
};

const ENTITY = /&(#[xX][0-9a-fA-F]{1,8}|#[0-9]{1,8}|[a-zA-Z][a-zA-Z0-9]{1,31});?/g;

function codePointToString(codePoint: number): string {
  const invalid =
    !Number.isFinite(codePoint) ||
    codePoint === 0 ||
    codePoint > 0x10ffff ||
    (codePoint >= 0xd800 && codePoint <= 0xdfff);
  return invalid ? '\ufffd' : String.fromCodePoint(codePoint);
}

/** Decodes numeric and common named character references; unknown names are left as written. */
export function decodeHtmlEntities(text: string): string {
  return text.replace(ENTITY, (whole, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X'))
      return codePointToString(Number.parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return codePointToString(Number.parseInt(body.slice(1), 10));
    if (!whole.endsWith(';')) return whole;
    return NAMED_ENTITIES[body] ?? whole;
  });
}

// C0/C1 controls, and the directional marks/overrides/isolates that can reorder what the user sees.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Decoded, single-line, safe-to-display text capped at `max` code points (with an ellipsis). */
export function cleanText(raw: string, max: number): string | undefined {
  const text = decodeHtmlEntities(raw.slice(0, max * 8))
    .replace(UNSAFE_CHARS, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length === 0) return undefined;
  const codePoints = Array.from(text);
  return codePoints.length > max ? `${codePoints.slice(0, max - 1).join('')}\u2026` : text;
}

const ATTRIBUTE = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
const TAG_NAME = /[a-zA-Z][a-zA-Z0-9-]{0,31}/y;
/** Elements whose content is text, not markup: tags inside them are not tags. */
const RAW_TEXT = new Set([
  'script',
  'style',
  'textarea',
  'title',
  'xmp',
  'iframe',
  'noembed',
  'noframes',
  'noscript',
]);

function parseAttributes(source: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of source.matchAll(ATTRIBUTE)) {
    const name = (match[1] ?? '').toLowerCase();
    if (!attributes.has(name)) attributes.set(name, match[2] ?? match[3] ?? match[4] ?? '');
  }
  return attributes;
}

/** Index just past the `>` of the first `</name ...>` at or after `from`, or -1. */
function findEndTag(
  source: string,
  name: string,
  from: number,
): { contentEnd: number; next: number } | undefined {
  const pattern = new RegExp(`</${name}[\\s/]*>`, 'gi');
  pattern.lastIndex = from;
  const match = pattern.exec(source);
  return match === null ? undefined : { contentEnd: match.index, next: match.index + match[0].length };
}

interface ScanResult {
  readonly meta: Map<string, string>;
  readonly title?: string;
}

/**
 * One linear pass over the document (no backtracking regular expression spans more than one tag, so
 * hostile input cannot make this quadratic). Collects <meta> tags and the first <title> until </head>.
 */
function scanHead(source: string): ScanResult {
  const meta = new Map<string, string>();
  let title: string | undefined;
  let i = 0;
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    if (lt < 0) break;
    if (source.startsWith('<!--', lt)) {
      const end = source.indexOf('-->', lt + 4);
      if (end < 0) break;
      i = end + 3;
      continue;
    }
    const closing = source[lt + 1] === '/';
    TAG_NAME.lastIndex = lt + (closing ? 2 : 1);
    const name = TAG_NAME.exec(source)?.[0].toLowerCase();
    if (name === undefined) {
      i = lt + 1;
      continue;
    }
    // Find the tag's closing '>' outside quoted attribute values.
    let k = TAG_NAME.lastIndex;
    let quote: string | undefined;
    for (; k < source.length; k += 1) {
      const c = source[k];
      if (quote !== undefined) {
        if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") {
        quote = c;
      } else if (c === '>') {
        break;
      }
    }
    if (k >= source.length) break; // an unterminated tag swallows the rest of the document
    const attributeText = source.slice(TAG_NAME.lastIndex, k);
    i = k + 1;
    if (closing) {
      if (name === 'head') break;
      continue;
    }
    if (name === 'body') break;
    if (name === 'meta') {
      const attributes = parseAttributes(attributeText);
      const key = (attributes.get('property') ?? attributes.get('name') ?? '').trim().toLowerCase();
      const content = attributes.get('content');
      if (key.length > 0 && content !== undefined && !meta.has(key)) meta.set(key, content);
      continue;
    }
    if (RAW_TEXT.has(name)) {
      const end = findEndTag(source, name, i);
      if (end === undefined) break;
      if (name === 'title' && title === undefined) title = source.slice(i, end.contentEnd);
      i = end.next;
    }
  }
  return { meta, ...(title !== undefined ? { title } : {}) };
}

/** The first https URL the image reference resolves to, or undefined. */
function resolveImageUrl(raw: string, pageUrl: URL): string | undefined {
  const text = decodeHtmlEntities(raw).trim();
  if (text.length === 0 || text.length > MAX_URL_CHARS) return undefined;
  try {
    const resolved = new URL(text, pageUrl);
    return resolved.protocol === 'https:' && resolved.href.length <= MAX_URL_CHARS
      ? resolved.href
      : undefined;
  } catch {
    return undefined;
  }
}

/** Extracts preview metadata from (the first MAX_SCAN_CHARS of) an HTML document. */
export function parseLinkPreviewHtml(html: string, pageUrl: URL): PageMetadata {
  const { meta, title: titleTag } = scanHead(html.slice(0, MAX_SCAN_CHARS));
  const pick = (...keys: string[]): string | undefined => {
    for (const key of keys) {
      const value = meta.get(key);
      if (value !== undefined && value.trim().length > 0) return value;
    }
    return undefined;
  };
  const title = cleanText(pick('og:title', 'twitter:title') ?? titleTag ?? '', MAX_TITLE_CHARS);
  const description = cleanText(
    pick('og:description', 'twitter:description', 'description') ?? '',
    MAX_DESCRIPTION_CHARS,
  );
  const imageRaw = pick('og:image:secure_url', 'og:image', 'og:image:url', 'twitter:image');
  const imageUrl = imageRaw !== undefined ? resolveImageUrl(imageRaw, pageUrl) : undefined;
  return {
    ...(title !== undefined ? { title } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(imageUrl !== undefined ? { imageUrl } : {}),
  };
}

/** Charset from a Content-Type header or the first <meta charset> of the page; utf-8 when unknown. */
export function detectCharset(contentType: string | undefined, head: Buffer): string {
  const fromHeader = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '')?.[1];
  const fromMeta = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(
    head.subarray(0, 2048).toString('latin1'),
  )?.[1];
  const label = (fromHeader ?? fromMeta ?? 'utf-8').toLowerCase();
  try {
    new TextDecoder(label);
    return label;
  } catch {
    return 'utf-8';
  }
}

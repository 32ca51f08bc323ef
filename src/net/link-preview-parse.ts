/**
 * A defensive HTML metadata reader for link previews. No DOM, no scripts, no network: a streaming,
 * error-tolerant tokenizer (htmlparser2, the HTML spec's raw-text rules for <script>, <style>, <title>…)
 * is fed the page's bytes as they arrive and reads og:title / og:description / og:image (and <title> /
 * meta description as fallbacks) until </head> or <body>. Character references are decoded by `entities`
 * (the spec's full table); the result is stripped of control and bidi-override characters (which could
 * disguise a title) and every field is capped. Work is bounded by MAX_SCAN_BYTES whatever the page does.
 */
import { MIMEType, TextDecoder } from 'node:util';
import { decodeHTML, decodeHTMLAttribute } from 'entities';
import { Parser } from 'htmlparser2';
import {
  cleanPreviewText as cleanText,
  PREVIEW_MAX_DESCRIPTION_CHARS as MAX_DESCRIPTION_CHARS,
  PREVIEW_MAX_TITLE_CHARS as MAX_TITLE_CHARS,
  PREVIEW_MAX_URL_CHARS as MAX_URL_CHARS,
} from './link-preview-rules.js';

export interface PageMetadata {
  readonly title?: string;
  readonly description?: string;
  /** Absolute https URL of the preview image, if the page names one. Never handed to the renderer. */
  readonly imageUrl?: string;
}

/** Only this much of a page is examined (the metadata lives in <head>). */
const MAX_SCAN_BYTES = 1024 * 1024;
/** `<meta charset>` must appear this early (the spec's prescan looks at 1024 bytes; heads can be long). */
const CHARSET_SCAN_BYTES = 2048;
/** Raw (undecoded) text kept per field: enough for the cap even if every character is a reference. */
const RAW_CHARS_PER_CHAR = 8;

const TITLE_KEYS = ['og:title', 'twitter:title'];
const DESCRIPTION_KEYS = ['og:description', 'twitter:description', 'description'];
const IMAGE_KEYS = ['og:image:secure_url', 'og:image', 'og:image:url', 'twitter:image'];
const WANTED_META = new Set([...TITLE_KEYS, ...DESCRIPTION_KEYS, ...IMAGE_KEYS]);

/** Decodes an attribute value's character references, reading only as much as a `max`-char field needs. */
function decodeAttribute(raw: string, max: number): string {
  return decodeHTMLAttribute(raw.slice(0, max * RAW_CHARS_PER_CHAR));
}

/** The first https URL the image reference resolves to, or undefined. */
function resolveImageUrl(decoded: string, pageUrl: URL): string | undefined {
  const text = decoded.trim();
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

/** The `charset` parameter of a media type such as `text/html; charset=ISO-8859-1`, if it parses. */
function charsetParameter(mediaType: string | undefined): string | undefined {
  if (mediaType === undefined) return undefined;
  try {
    return new MIMEType(mediaType).params.get('charset') ?? undefined;
  } catch {
    return undefined;
  }
}

/** An attribute's value (own properties only: a page can name an attribute `constructor`). */
function attributeOf(attributes: Record<string, string>, key: string): string | undefined {
  return Object.hasOwn(attributes, key) ? attributes[key] : undefined;
}

interface Prescan {
  /** From `<meta charset=…>` or `<meta http-equiv="content-type" content="…; charset=…">`. */
  readonly charset?: string;
  /** A charset was declared or the head is over: more bytes cannot change the answer. */
  readonly settled: boolean;
}

/** The charset declared in the page's start (as the HTML spec's prescan does, with tags parsed properly). */
function prescan(start: Uint8Array): Prescan {
  let charset: string | undefined;
  let headOver = false;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'body') headOver = true;
        if (charset !== undefined || headOver || name !== 'meta') return;
        const attribute = (key: string): string | undefined => attributeOf(attributes, key);
        charset =
          attribute('charset')?.trim() ??
          (attribute('http-equiv')?.trim().toLowerCase() === 'content-type'
            ? charsetParameter(attribute('content'))
            : undefined);
      },
      onclosetag(name, isImplied) {
        if (name === 'head' && !isImplied) headOver = true;
      },
    },
    { decodeEntities: false },
  );
  // Tag syntax is ASCII: latin1 reads it right in any ASCII-compatible charset.
  parser.write(Buffer.from(start.subarray(0, CHARSET_SCAN_BYTES)).toString('latin1'));
  const settled = charset !== undefined || headOver;
  parser.end();
  // A page read as ASCII cannot be UTF-16: the spec's prescan takes such a declaration to mean UTF-8.
  if (charset !== undefined && /^utf-16/.test(decoderFor(charset).encoding)) charset = 'utf-8';
  return { ...(charset !== undefined ? { charset } : {}), settled };
}

/** A decoder for the label, or for utf-8 when the label is unknown. */
function decoderFor(label: string | undefined): TextDecoder {
  try {
    return new TextDecoder((label ?? 'utf-8').toLowerCase());
  } catch {
    return new TextDecoder('utf-8');
  }
}

/**
 * Reads preview metadata from a page pushed to it chunk by chunk, as the bytes arrive. The charset is the
 * Content-Type header's, else the page's own declaration, looked for until it is found, the head ends or
 * CHARSET_SCAN_BYTES are in, else utf-8. `push` reports when nothing more is needed (</head> or <body>
 * seen, or MAX_SCAN_BYTES examined), so the caller can stop downloading.
 */
export class PageMetadataReader {
  readonly #meta = new Map<string, string>();
  readonly #parser: Parser;
  #decoder: TextDecoder | undefined;
  #pending: Uint8Array[] = [];
  #scanned = 0;
  #done = false;
  /** Raw text of the first <title>, while and after it is read; used only if the title closes. */
  #title: string | undefined;
  #inTitle = false;
  #titleClosed = false;

  /** `contentType` is the response's Content-Type header (its charset wins over the page's). */
  constructor(contentType: string | undefined) {
    this.#parser = new Parser(
      {
        onopentag: (name, attributes) => this.#openTag(name, attributes),
        onclosetag: (name, isImplied) => this.#closeTag(name, isImplied),
        ontext: (text) => this.#text(text),
      },
      // Decoding is ours (entities, per field, after capping), so raw text is never decoded twice.
      { decodeEntities: false },
    );
    // A charset in the header wins (and an unknown one means utf-8, not a second guess from the page).
    const declared = charsetParameter(contentType);
    if (declared !== undefined) this.#decoder = decoderFor(declared);
  }

  /** Feeds the next bytes of the page; true once the metadata is complete. */
  push(chunk: Uint8Array): boolean {
    if (this.#done) return true;
    const bytes = chunk.subarray(0, MAX_SCAN_BYTES - this.#scanned);
    this.#scanned += bytes.length;
    if (this.#decoder === undefined) {
      this.#pending.push(bytes);
      const early = prescan(Buffer.concat(this.#pending));
      if (early.settled || this.#scanned >= CHARSET_SCAN_BYTES) this.#startDecoding(early.charset);
    } else {
      this.#parser.write(this.#decoder.decode(bytes, { stream: true }));
    }
    if (this.#scanned >= MAX_SCAN_BYTES) this.#done = true;
    return this.#done;
  }

  /** The metadata read so far (the page may have ended early); `pageUrl` resolves a relative image. */
  finish(pageUrl: URL): PageMetadata {
    const decoder = this.#decoder ?? this.#startDecoding(prescan(Buffer.concat(this.#pending)).charset);
    if (!this.#done) {
      this.#parser.write(decoder.decode());
      this.#parser.end();
      this.#done = true;
    }
    const pick = (keys: readonly string[]): string | undefined => {
      for (const key of keys) {
        const value = this.#meta.get(key);
        if (value !== undefined && value.trim().length > 0) return value;
      }
      return undefined;
    };
    const rawTitle = pick(TITLE_KEYS);
    const title = cleanText(
      rawTitle !== undefined
        ? decodeAttribute(rawTitle, MAX_TITLE_CHARS)
        : decodeHTML(this.#titleClosed ? (this.#title ?? '') : ''),
      MAX_TITLE_CHARS,
    );
    const rawDescription = pick(DESCRIPTION_KEYS);
    const description =
      rawDescription !== undefined
        ? cleanText(decodeAttribute(rawDescription, MAX_DESCRIPTION_CHARS), MAX_DESCRIPTION_CHARS)
        : undefined;
    const rawImage = pick(IMAGE_KEYS);
    // Not cut before decoding: a cut URL could still be a valid, different one. Too long is refused.
    const imageUrl =
      rawImage !== undefined ? resolveImageUrl(decodeHTMLAttribute(rawImage), pageUrl) : undefined;
    return {
      ...(title !== undefined ? { title } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(imageUrl !== undefined ? { imageUrl } : {}),
    };
  }

  #startDecoding(charset: string | undefined): TextDecoder {
    const head = Buffer.concat(this.#pending);
    this.#pending = [];
    const decoder = decoderFor(charset);
    this.#decoder = decoder;
    this.#parser.write(decoder.decode(head, { stream: true }));
    return decoder;
  }

  #openTag(name: string, attributes: Record<string, string>): void {
    if (this.#done) return;
    if (name === 'body') {
      this.#done = true;
    } else if (name === 'title' && this.#title === undefined) {
      this.#title = '';
      this.#inTitle = true;
    } else if (name === 'meta') {
      const attribute = (key: string): string | undefined => attributeOf(attributes, key);
      const key = (attribute('property') ?? attribute('name') ?? '').trim().toLowerCase();
      const content = attribute('content');
      // Only the few wanted keys are kept, each a part of the (capped) page already in memory.
      if (WANTED_META.has(key) && content !== undefined && !this.#meta.has(key)) this.#meta.set(key, content);
    }
  }

  #closeTag(name: string, isImplied: boolean): void {
    if (this.#done) return;
    if (name === 'title' && this.#inTitle) {
      this.#inTitle = false;
      // Closed only by the end of the page: the rest of a broken page is no title.
      this.#titleClosed = !isImplied;
    } else if (name === 'head') {
      this.#done = true;
    }
  }

  #text(text: string): void {
    if (this.#done || !this.#inTitle || this.#title === undefined) return;
    const room = MAX_TITLE_CHARS * RAW_CHARS_PER_CHAR - this.#title.length;
    if (room > 0) this.#title += text.slice(0, room);
  }
}

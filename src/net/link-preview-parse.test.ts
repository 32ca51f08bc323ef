import { describe, expect, it } from 'vitest';
import { PageMetadataReader, type PageMetadata } from './link-preview-parse.js';
import {
  PREVIEW_MAX_DESCRIPTION_CHARS as MAX_DESCRIPTION_CHARS,
  PREVIEW_MAX_TITLE_CHARS as MAX_TITLE_CHARS,
} from './link-preview-rules.js';

/** The reader's documented bound on the bytes it examines (1 MiB, the HTML download cap). */
const MAX_SCAN_BYTES = 1024 * 1024;

const PAGE_URL = new URL('https://example.org/news/story.html');

/** Reads a whole page, pushed in chunks of `chunkBytes` (the way the network delivers it). */
function parse(
  page: string | Buffer,
  options: { contentType?: string; chunkBytes?: number } = {},
): PageMetadata {
  const bytes = typeof page === 'string' ? Buffer.from(page) : page;
  const reader = new PageMetadataReader(options.contentType);
  const step = options.chunkBytes ?? 64 * 1024;
  for (let at = 0; at < bytes.length; at += step) {
    if (reader.push(bytes.subarray(at, at + step))) break;
  }
  return reader.finish(PAGE_URL);
}

const titleOf = (html: string): string | undefined => parse(`<head><title>${html}</title></head>`).title;

describe('character references (entities)', () => {
  it('decodes named, decimal and hex references', () => {
    expect(titleOf('a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; &#x1F980; &hellip;')).toBe(
      'a & b <c> "d" \'e\' \u{1F980} \u2026',
    );
    expect(
      parse('<meta property="og:title" content="&eacute;t&eacute; &mdash; &#8220;x&#x201D;">').title,
    ).toBe('\u00e9t\u00e9 \u2014 \u201cx\u201d');
  });

  it('replaces invalid code points and leaves unknown names alone', () => {
    expect(titleOf('&#0;&#xD800;&#x110000;')).toBe('\ufffd\ufffd\ufffd');
    expect(titleOf('&unknown; &xyz;')).toBe('&unknown; &xyz;');
  });

  it('decodes the legacy references browsers accept without a semicolon, in text but not mid-attribute', () => {
    // As a browser shows it (HTML's rule), where the old private table left "&amp" as written.
    expect(titleOf('Q&amp A &copy 2026')).toBe('Q& A \u00a9 2026');
    const html = '<meta property="og:title" content="t"><meta property="og:image" content="/i?a=1&copy=2">';
    expect(parse(html).imageUrl).toBe('https://example.org/i?a=1&copy=2');
  });

  it('decodes each field once (an escaped reference stays escaped)', () => {
    expect(titleOf('&amp;lt;b&amp;gt;')).toBe('&lt;b&gt;');
  });
});

describe('text cleaning', () => {
  it('strips controls and bidi overrides, collapses whitespace, caps length', () => {
    expect(titleOf('  a\u202Eb\u0000c\n\t d  ')).toBe('a b c d');
    expect(titleOf('x'.repeat(500))).toBe(`${'x'.repeat(MAX_TITLE_CHARS - 1)}\u2026`);
    expect(titleOf('   ')).toBeUndefined();
    expect(titleOf('&#x202E;&#8238;')).toBeUndefined();
  });

  it('does not split a surrogate pair when capping', () => {
    expect(titleOf('\u{1F980}'.repeat(MAX_TITLE_CHARS + 5))).toBe(
      `${'\u{1F980}'.repeat(MAX_TITLE_CHARS - 1)}\u2026`,
    );
  });
});

describe('PageMetadataReader', () => {
  it('prefers og tags and resolves a relative image to https', () => {
    const html = `<html><head>
      <title>Plain title</title>
      <meta property="og:title" content="OG title">
      <meta content='OG description' property='og:description' />
      <meta property=og:image content=../img/a.jpg>
    </head></html>`;
    expect(parse(html)).toEqual({
      title: 'OG title',
      description: 'OG description',
      imageUrl: 'https://example.org/img/a.jpg',
    });
  });

  it('falls back to twitter tags, then to <title> and meta description', () => {
    const twitter = `<meta name="twitter:title" content="TW title"><meta name="twitter:description" content="TW desc">
      <meta name="twitter:image" content="https://cdn.example.org/t.png"><title>Plain</title>`;
    expect(parse(twitter)).toEqual({
      title: 'TW title',
      description: 'TW desc',
      imageUrl: 'https://cdn.example.org/t.png',
    });
    const html =
      '<head><TITLE>Fallback &amp; more</TITLE><meta name="Description" content="Meta desc"></head>';
    expect(parse(html)).toEqual({ title: 'Fallback & more', description: 'Meta desc' });
  });

  it('skips empty og values for the next key, and keeps the first of repeated tags', () => {
    const html = `<meta property="og:title" content="  "><meta property="twitter:title" content="second">
      <meta property="og:description" content="first"><meta property="og:description" content="later">`;
    expect(parse(html)).toEqual({ title: 'second', description: 'first' });
  });

  it('stops at </head> or <body>, and tells the caller to stop reading', () => {
    expect(parse('<head><title>t</title></head><meta property="og:description" content="after">')).toEqual({
      title: 't',
    });
    expect(parse('<title>t</title><body><meta property="og:description" content="in body">')).toEqual({
      title: 't',
    });
    const reader = new PageMetadataReader('text/html');
    expect(reader.push(Buffer.from('<head><title>t</title>'))).toBe(false);
    expect(reader.push(Buffer.from(`${' '.repeat(4096)}</HEAD >`))).toBe(true);
    expect(reader.push(Buffer.from('<meta property="og:description" content="late">'))).toBe(true);
    expect(reader.finish(PAGE_URL)).toEqual({ title: 't' });
  });

  it('reads attributes in any order, unquoted or quoted either way, with upper-case names', () => {
    const html = `<HEAD><META CONTENT=Unquoted&#32;title PROPERTY=og:title>
      <Meta content="with 'single' quotes" NAME='og:description'  >
      <meta
        content = "https://example.org/i.png"
        property = "og:image"/></HEAD>`;
    expect(parse(html)).toEqual({
      title: 'Unquoted title',
      description: "with 'single' quotes",
      imageUrl: 'https://example.org/i.png',
    });
  });

  it('ignores fake tags inside comments, CDATA, scripts, styles and other raw text', () => {
    const fake = (where: string): string => `<meta property="og:title" content="${where}">`;
    const html = `<head>
      <!-- ${fake('commented out')} -->
      <!--> ${fake('after an empty comment')} is real: "<!-->" closes the comment -->
      <![CDATA[${fake('cdata')}]]>
      <script>document.write('${fake('from script')}')</script>
      <script type="text/template"><!-- ${fake('script comment')} </script>
      <style>/* ${fake('style')} */</style>
      <textarea>${fake('textarea')}</textarea>
      <noembed>${fake('noembed')}</noembed>
      <title>${fake('title')}</title>
      <meta property="og:title" content="a > b">
    </head>`;
    expect(parse(html).title).toBe('after an empty comment');
    expect(parse(html.replace(/<!-->.*\n/, '')).title).toBe('a > b');
  });

  it('reads the first <title> only, including markup-looking text', () => {
    expect(parse('<title>a <b>bold</b> move</title><title>second</title>').title).toBe('a <b>bold</b> move');
  });

  it('drops non-https and javascript image URLs, and URLs that are too long', () => {
    for (const image of [
      'http://example.org/a.png',
      'javascript:alert(1)',
      'jav&#x61;script:alert(1)',
      'data:image/png;base64,AAAA',
      `https://example.org/${'a'.repeat(3000)}`,
      `https://example.org/${'&#x61;'.repeat(3000)}`,
    ]) {
      const html = `<meta property="og:title" content="t"><meta property="og:image" content="${image}">`;
      expect(parse(html).imageUrl, image.slice(0, 40)).toBeUndefined();
    }
  });

  it('caps title and description lengths', () => {
    const html = `<meta property="og:title" content="${'t'.repeat(5000)}"><meta property="og:description" content="${'d'.repeat(50_000)}">`;
    const result = parse(html);
    expect(Array.from(result.title ?? '')).toHaveLength(MAX_TITLE_CHARS);
    expect(Array.from(result.description ?? '')).toHaveLength(MAX_DESCRIPTION_CHARS);
  });

  it('gives the same result whatever the chunk boundaries (references, tags, multi-byte characters)', () => {
    const html =
      '<head><title>caf\u00e9 &amp; cr\u00eape \u{1F980}</title><meta property="og:description" content="d&eacute;j&agrave;"></head>';
    const whole = parse(html);
    expect(whole).toEqual({ title: 'caf\u00e9 & cr\u00eape \u{1F980}', description: 'd\u00e9j\u00e0' });
    for (const chunkBytes of [1, 2, 3, 7]) expect(parse(html, { chunkBytes })).toEqual(whole);
  });

  it('survives garbage and pathological input without metadata', () => {
    expect(parse('')).toEqual({});
    expect(parse('<meta property="og:title" content="unterminated')).toEqual({});
    expect(parse('<script>' + '<meta property="og:title" content="x">')).toEqual({});
    expect(parse('\u0000\uffff<<<>>>&&&;;;</head')).toEqual({});
    // Inputs that make naive tag regexes quadratic (each ~1 MiB; a quadratic parser would not finish).
    const mib = 1024 * 1024;
    for (const unit of [
      '<',
      '<meta',
      '<meta a="',
      '<title>',
      '<script',
      '<!--',
      '<a b=c ',
      '&#x',
      '<![CDATA[',
    ]) {
      expect(parse(unit.repeat(Math.ceil(mib / unit.length)))).toEqual({});
    }
    const manyTitles = '<meta property="og:title" content="ok">' + '<title>x'.repeat(mib / 8);
    expect(parse(manyTitles)).toEqual({ title: 'ok' });
  });

  it(`examines at most ${MAX_SCAN_BYTES} bytes`, () => {
    const reader = new PageMetadataReader('text/html');
    expect(reader.push(Buffer.from(`<head>${' '.repeat(MAX_SCAN_BYTES - 10)}`))).toBe(false);
    expect(reader.push(Buffer.from('<title>too late</title>'))).toBe(true);
    expect(reader.finish(PAGE_URL)).toEqual({});
  });
});

describe('charset', () => {
  it('reads the header, then an early <meta charset> or http-equiv, else utf-8', () => {
    // In windows-1252, 0x93/0x94 are curly quotes; ISO-8859-1 as a WHATWG label means windows-1252 too.
    const page = Buffer.concat([
      Buffer.from('<title>caf\u00e9 ', 'latin1'),
      Buffer.from([0x93, 0x71, 0x94]),
      Buffer.from('</title>'),
    ]);
    const cp1252 = 'caf\u00e9 \u201cq\u201d';
    expect(parse(page, { contentType: 'text/html; charset=ISO-8859-1' }).title).toBe(cp1252);
    expect(parse(Buffer.concat([Buffer.from('<meta charset="windows-1252">'), page])).title).toBe(cp1252);
    expect(
      parse(
        Buffer.concat([
          Buffer.from('<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=windows-1252">'),
          page,
        ]),
      ).title,
    ).toBe(cp1252);
    expect(parse('<title>caf\u00e9 \u{1F980}</title>').title).toBe('caf\u00e9 \u{1F980}');
    // The header wins over the page; an unknown label falls back to utf-8.
    expect(
      parse('<meta charset="windows-1252"><title>caf\u00e9</title>', {
        contentType: 'text/html; charset=utf-8',
      }).title,
    ).toBe('caf\u00e9');
    expect(parse('<title>caf\u00e9</title>', { contentType: 'text/html; charset=made-up' }).title).toBe(
      'caf\u00e9',
    );
    expect(parse('<meta charset="made-up"><title>caf\u00e9</title>').title).toBe('caf\u00e9');
    // A page whose tags were readable as ASCII is not UTF-16, whatever it says (the spec's rule).
    expect(parse('<meta charset="utf-16"><title>caf\u00e9</title>').title).toBe('caf\u00e9');
  });

  it('ignores a <meta charset> that comes too late or sits in a comment', () => {
    const late = `<!-- ${' '.repeat(3000)} --><meta charset="windows-1252"><title>caf\u00e9</title>`;
    expect(parse(late).title).toBe('caf\u00e9');
    expect(parse('<!-- <meta charset="windows-1252"> --><title>caf\u00e9</title>').title).toBe('caf\u00e9');
  });
});

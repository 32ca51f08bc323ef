import { describe, expect, it } from 'vitest';
import {
  cleanText,
  decodeHtmlEntities,
  detectCharset,
  MAX_DESCRIPTION_CHARS,
  MAX_TITLE_CHARS,
  parseLinkPreviewHtml,
} from './link-preview-parse.js';

const PAGE_URL = new URL('https://example.org/news/story.html');

describe('decodeHtmlEntities', () => {
  it('decodes named, decimal and hex references', () => {
    expect(decodeHtmlEntities('a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; &#x1F980; &hellip;')).toBe(
      'a & b <c> "d" \'e\' \u{1F980} \u2026',
    );
  });
  it('replaces invalid code points and leaves unknown names alone', () => {
    expect(decodeHtmlEntities('&#0;&#xD800;&#x110000;')).toBe('\ufffd\ufffd\ufffd');
    expect(decodeHtmlEntities('&unknown; &amp')).toBe('&unknown; &amp');
  });
});

describe('cleanText', () => {
  it('strips controls and bidi overrides, collapses whitespace, caps length', () => {
    expect(cleanText('  a\u202Eb\u0000c\n\t d  ', 100)).toBe('a b c d');
    const long = cleanText('x'.repeat(500), 10);
    expect(long).toBe(`${'x'.repeat(9)}\u2026`);
    expect(cleanText('   ', 10)).toBeUndefined();
  });
  it('does not split a surrogate pair when capping', () => {
    expect(cleanText('\u{1F980}'.repeat(5), 3)).toBe('\u{1F980}\u{1F980}\u2026');
  });
});

describe('parseLinkPreviewHtml', () => {
  it('prefers og tags and resolves a relative image to https', () => {
    const html = `<html><head>
      <title>Plain title</title>
      <meta property="og:title" content="OG title">
      <meta content='OG description' property='og:description' />
      <meta property=og:image content=../img/a.jpg>
    </head></html>`;
    expect(parseLinkPreviewHtml(html, PAGE_URL)).toEqual({
      title: 'OG title',
      description: 'OG description',
      imageUrl: 'https://example.org/img/a.jpg',
    });
  });

  it('falls back to <title> and meta description', () => {
    const html =
      '<head><TITLE>Fallback &amp; more</TITLE><meta name="Description" content="Meta desc"></head>';
    expect(parseLinkPreviewHtml(html, PAGE_URL)).toEqual({
      title: 'Fallback & more',
      description: 'Meta desc',
    });
  });

  it('stops at </head> or <body>', () => {
    const html = '<head><title>t</title></head><body><meta property="og:description" content="in body">';
    expect(parseLinkPreviewHtml(html, PAGE_URL)).toEqual({ title: 't' });
  });

  it('ignores tags inside comments and scripts, and handles ">" inside attribute values', () => {
    const html = `<head>
      <!-- <meta property="og:title" content="commented out"> -->
      <script>document.write('<meta property="og:title" content="from script">')</script>
      <meta property="og:title" content="a > b">
    </head>`;
    expect(parseLinkPreviewHtml(html, PAGE_URL).title).toBe('a > b');
  });

  it('drops non-https and javascript image URLs', () => {
    for (const image of ['http://example.org/a.png', 'javascript:alert(1)', 'data:image/png;base64,AAAA']) {
      const html = `<meta property="og:title" content="t"><meta property="og:image" content="${image}">`;
      expect(parseLinkPreviewHtml(html, PAGE_URL).imageUrl).toBeUndefined();
    }
  });

  it('caps title and description lengths', () => {
    const html = `<meta property="og:title" content="${'t'.repeat(5000)}"><meta property="og:description" content="${'d'.repeat(50_000)}">`;
    const result = parseLinkPreviewHtml(html, PAGE_URL);
    expect(Array.from(result.title ?? '')).toHaveLength(MAX_TITLE_CHARS);
    expect(Array.from(result.description ?? '')).toHaveLength(MAX_DESCRIPTION_CHARS);
  });

  it('survives garbage and pathological input without metadata', () => {
    expect(parseLinkPreviewHtml('', PAGE_URL)).toEqual({});
    expect(parseLinkPreviewHtml('<meta property="og:title" content="unterminated', PAGE_URL)).toEqual({});
    expect(parseLinkPreviewHtml('<script>' + '<meta property="og:title" content="x">', PAGE_URL)).toEqual({});
    // Inputs that make naive tag regexes quadratic (each ~1 MiB; a quadratic parser would not finish).
    const mib = 1024 * 1024;
    for (const unit of ['<', '<meta', '<meta a="', '<title>', '<script', '<!--', '<a b=c ', '&#x']) {
      expect(parseLinkPreviewHtml(unit.repeat(Math.ceil(mib / unit.length)), PAGE_URL)).toEqual({});
    }
    const manyTitles = '<meta property="og:title" content="ok">' + '<title>x'.repeat(mib / 8);
    expect(parseLinkPreviewHtml(manyTitles, PAGE_URL)).toEqual({ title: 'ok' });
  });
});

describe('detectCharset', () => {
  it('reads the header, then <meta charset>, else utf-8', () => {
    expect(detectCharset('text/html; charset=ISO-8859-1', Buffer.alloc(0))).toBe('iso-8859-1');
    expect(detectCharset('text/html', Buffer.from('<meta charset="windows-1252">'))).toBe('windows-1252');
    expect(detectCharset(undefined, Buffer.from('<html>'))).toBe('utf-8');
    expect(detectCharset('text/html; charset=made-up', Buffer.alloc(0))).toBe('utf-8');
  });
});

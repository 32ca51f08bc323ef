import { describe, expect, it } from 'vitest';
import {
  acceptPreview,
  cleanPreviewText,
  firstHttpsLink,
  PREVIEW_MAX_TITLE_CHARS,
} from './link-preview-rules.js';

describe('firstHttpsLink', () => {
  it('finds the first https link the user typed, exactly as written', () => {
    expect(firstHttpsLink('see https://example.org/a?b=1. thanks')).toBe('https://example.org/a?b=1');
    expect(firstHttpsLink('(https://example.org/x)')).toBe('https://example.org/x');
    expect(firstHttpsLink('http://example.org and https://signal.org/blog')).toBe('https://signal.org/blog');
    // Not normalised (no trailing slash, case kept): the link must be found in the body that is sent.
    expect(firstHttpsLink('go to https://Example.ORG now')).toBe('https://Example.ORG');
    expect(firstHttpsLink('no link here')).toBeUndefined();
    expect(firstHttpsLink('http://only-plain.example')).toBeUndefined();
    expect(firstHttpsLink('https://user:pw@example.org/')).toBeUndefined();
  });
});

describe('a preview belongs to a message only if its https link is in the body (Signal)', () => {
  const belongs = (url: string, body: string): boolean =>
    acceptPreview({ url, title: 't' }, body) !== undefined;

  it('accepts an https link written in the body', () => {
    expect(belongs('https://example.org/a', 'look: https://example.org/a !')).toBe(true);
  });

  it('refuses a link not in the body, a non-https link, credentials and oversized links', () => {
    expect(belongs('https://example.org/a', 'look: https://example.org/b')).toBe(false);
    expect(belongs('http://example.org/a', 'http://example.org/a')).toBe(false);
    expect(belongs('javascript:alert(1)', 'javascript:alert(1)')).toBe(false);
    expect(belongs('https://u:p@example.org/', 'https://u:p@example.org/')).toBe(false);
    const long = `https://example.org/${'a'.repeat(3000)}`;
    expect(belongs(long, long)).toBe(false);
  });
});

describe('acceptPreview (what a sent or received preview may carry)', () => {
  it('keeps a preview whose https link is in the body, cleaning and bounding its text', () => {
    const preview = acceptPreview(
      {
        url: 'https://example.org/a',
        title: `evil\u202etxt.exe\n${'t'.repeat(400)}`,
        description: '  two\u0000 words ',
      },
      'see https://example.org/a',
    );
    expect(preview?.url).toBe('https://example.org/a');
    expect(preview?.title).not.toMatch(/[\u202e\n]/);
    expect(Array.from(preview?.title ?? '')).toHaveLength(PREVIEW_MAX_TITLE_CHARS);
    expect(preview?.description).toBe('two words');
  });

  it('drops a preview for a link the reader cannot see, or with no link', () => {
    expect(acceptPreview({ url: 'https://elsewhere.example/', title: 'x' }, 'hello')).toBeUndefined();
    expect(acceptPreview({ title: 'x' }, 'hello https://example.org/')).toBeUndefined();
  });

  it('bounds text made only of astral characters too', () => {
    const title = cleanPreviewText('\u{1F980}'.repeat(PREVIEW_MAX_TITLE_CHARS), PREVIEW_MAX_TITLE_CHARS);
    expect(Array.from(title ?? '')).toHaveLength(PREVIEW_MAX_TITLE_CHARS);
    expect(title?.endsWith('\u{1F980}')).toBe(true);
    const longer = cleanPreviewText('\u{1F980}'.repeat(PREVIEW_MAX_TITLE_CHARS + 1), PREVIEW_MAX_TITLE_CHARS);
    expect(longer?.endsWith('\u2026')).toBe(true);
  });
});

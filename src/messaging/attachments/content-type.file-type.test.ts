/**
 * Our sniffer checked against file-type (a widely used, well-kept detector) on real sample files: where
 * file-type knows a format, we must name the same kind, or make the stricter choice stated in the row.
 * Our own sniffer stays in the app because it has jobs file-type does not: HTML/SVG/XML markup and
 * scripts (text formats file-type does not look at) decide whether a file needs a confirmation.
 */
import { gzipSync } from 'node:zlib';
import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isPotentiallyExecutable, sniffContentType, type SniffedType } from './content-type.js';

type Part = string | readonly number[] | Uint8Array;
/** Bytes from latin1 strings, byte lists and buffers. */
const bytesOf = (...parts: Part[]): Buffer =>
  Buffer.concat(
    parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))),
  );
const u32le = (n: number): Buffer => Buffer.from(Uint32Array.of(n).buffer);
const u32be = (n: number): Buffer => u32le(n).reverse();

/** An ISO base media file (MP4 family) start: an ftyp box with the major brand, then an empty box. */
const isoMedia = (brand: string): Buffer => {
  const body = bytesOf(brand, [0, 0, 2, 0], brand, 'isom');
  return bytesOf(u32be(8 + body.length), 'ftyp', body, u32be(8), 'free');
};
/** A first Ogg page holding one codec header packet. */
const oggPage = (packet: Part): Buffer => {
  const data = bytesOf(packet);
  return bytesOf('OggS', [0, 2], Buffer.alloc(8), u32le(1), u32le(0), u32le(0), [1, data.length], data);
};

/**
 * How our answer relates to file-type's:
 * - same: the same MIME type;
 * - alias: the same kind under the name we store (file-type's name given);
 * - stricter: file-type's answer, and why ours is the safer one;
 * - text: file-type does not detect text formats; ours decides the confirmation rule;
 * - unmodelled: a format we do not model: unknown binary (never shown inline, never text).
 */
type Relation =
  | { kind: 'same' }
  | { kind: 'alias'; theirs: string }
  | { kind: 'stricter'; theirs: string | undefined; why: string }
  | { kind: 'text' }
  | { kind: 'unmodelled'; theirs: string };

interface Sample {
  readonly name: string;
  readonly bytes: Buffer;
  readonly ours: SniffedType;
  readonly relation: Relation;
}

const same = { kind: 'same' } as const;

async function corpus(): Promise<Sample[]> {
  const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#c00' } })
    .png()
    .toBuffer();
  const image = (format: 'jpeg' | 'gif' | 'webp' | 'tiff' | 'avif'): Promise<Buffer> =>
    sharp(png).toFormat(format).toBuffer();
  return [
    { name: 'PNG (sharp)', bytes: png, ours: 'image/png', relation: same },
    { name: 'JPEG (sharp)', bytes: await image('jpeg'), ours: 'image/jpeg', relation: same },
    { name: 'GIF (sharp)', bytes: await image('gif'), ours: 'image/gif', relation: same },
    { name: 'WebP (sharp)', bytes: await image('webp'), ours: 'image/webp', relation: same },
    { name: 'TIFF (sharp)', bytes: await image('tiff'), ours: 'image/tiff', relation: same },
    { name: 'AVIF (sharp)', bytes: await image('avif'), ours: 'image/avif', relation: same },
    {
      name: 'BMP',
      bytes: bytesOf(
        'BM',
        u32le(58),
        u32le(0),
        u32le(54),
        u32le(40),
        u32le(1),
        u32le(1),
        [1, 0, 24, 0],
        Buffer.alloc(28),
      ),
      ours: 'image/bmp',
      relation: same,
    },
    { name: 'HEIC', bytes: isoMedia('heic'), ours: 'image/heic', relation: same },
    {
      name: 'HEIF (generic brand)',
      bytes: isoMedia('mif1'),
      ours: 'image/heic',
      relation: { kind: 'alias', theirs: 'image/heif' },
    },
    { name: 'MP4', bytes: isoMedia('isom'), ours: 'video/mp4', relation: same },
    {
      name: 'M4V',
      bytes: isoMedia('M4V '),
      ours: 'video/mp4',
      relation: { kind: 'alias', theirs: 'video/x-m4v' },
    },
    {
      name: '3GP',
      bytes: isoMedia('3gp5'),
      ours: 'video/mp4',
      relation: { kind: 'alias', theirs: 'video/3gpp' },
    },
    { name: 'QuickTime', bytes: isoMedia('qt  '), ours: 'video/quicktime', relation: same },
    {
      name: 'M4A',
      bytes: isoMedia('M4A '),
      ours: 'audio/mp4',
      relation: { kind: 'alias', theirs: 'audio/x-m4a' },
    },
    { name: 'M4B audiobook', bytes: isoMedia('M4B '), ours: 'audio/mp4', relation: same },
    {
      name: 'Canon CR3 raw photo',
      bytes: isoMedia('crx '),
      ours: 'application/octet-stream',
      relation: { kind: 'unmodelled', theirs: 'image/x-canon-cr3' },
    },
    {
      name: 'WebM',
      bytes: bytesOf(
        [0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 1, 0x42, 0xf7, 0x81, 1],
        [0x42, 0x82, 0x84],
        'webm',
      ),
      ours: 'video/webm',
      relation: same,
    },
    {
      name: 'MP3 frame',
      bytes: bytesOf([0xff, 0xfb, 0x90, 0x64], Buffer.alloc(400)),
      ours: 'audio/mpeg',
      relation: same,
    },
    {
      name: 'AAC (ADTS)',
      bytes: bytesOf([0xff, 0xf1, 0x50, 0x80, 0x02, 0x1f, 0xfc], Buffer.alloc(40)),
      ours: 'audio/aac',
      relation: same,
    },
    {
      name: 'WAV',
      bytes: bytesOf(
        'RIFF',
        u32le(36),
        'WAVEfmt ',
        u32le(16),
        [1, 0, 1, 0],
        u32le(8000),
        u32le(8000),
        [1, 0, 8, 0],
        'data',
        u32le(0),
      ),
      ours: 'audio/wav',
      relation: same,
    },
    {
      name: 'Ogg Vorbis',
      bytes: oggPage(bytesOf('\x01vorbis', Buffer.alloc(23))),
      ours: 'audio/ogg',
      relation: same,
    },
    {
      name: 'Ogg Opus',
      bytes: oggPage(bytesOf('OpusHead', [1, 1], Buffer.alloc(9))),
      ours: 'audio/ogg',
      relation: { kind: 'alias', theirs: 'audio/ogg; codecs=opus' },
    },
    {
      name: 'Ogg Theora',
      bytes: oggPage(bytesOf('\x80theora', Buffer.alloc(35))),
      ours: 'video/ogg',
      relation: same,
    },
    {
      name: 'PDF',
      bytes: bytesOf('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n'),
      ours: 'application/pdf',
      relation: same,
    },
    {
      name: 'ZIP',
      bytes: bytesOf(
        [0x50, 0x4b, 3, 4, 20, 0, 0, 0, 0, 0],
        Buffer.alloc(8),
        u32le(5),
        u32le(5),
        [5, 0, 0, 0],
        'a.txt',
        'hello',
      ),
      ours: 'application/zip',
      relation: same,
    },
    { name: 'GZIP (zlib)', bytes: gzipSync('hello'), ours: 'application/gzip', relation: same },
    {
      name: '7z',
      bytes: bytesOf([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4], Buffer.alloc(24)),
      ours: 'application/x-7z-compressed',
      relation: same,
    },
    {
      name: 'RAR 5',
      bytes: bytesOf('Rar!\x1a\x07\x01\x00', Buffer.alloc(24)),
      ours: 'application/x-rar-compressed',
      relation: same,
    },
    {
      name: 'ELF',
      bytes: bytesOf([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], Buffer.alloc(56)),
      ours: 'application/x-executable',
      relation: { kind: 'alias', theirs: 'application/x-elf' },
    },
    {
      name: 'PE (MZ)',
      bytes: bytesOf('MZ', [0x90, 0], Buffer.alloc(60)),
      ours: 'application/x-msdownload',
      relation: same,
    },
    {
      name: 'Mach-O 64',
      bytes: bytesOf([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1], Buffer.alloc(40)),
      ours: 'application/x-mach-binary',
      relation: same,
    },
    {
      name: 'Mach-O universal',
      bytes: bytesOf([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2], Buffer.alloc(40)),
      ours: 'application/x-mach-binary',
      relation: same,
    },
    {
      name: 'Java class',
      bytes: bytesOf([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x41], Buffer.alloc(40)),
      ours: 'application/java-vm',
      relation: same,
    },
    {
      name: 'SVG with an XML declaration',
      bytes: bytesOf(
        '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      ),
      ours: 'image/svg+xml',
      relation: {
        kind: 'stricter',
        theirs: 'application/xml',
        why: 'SVG runs script when opened; we name it so',
      },
    },
    {
      name: 'XHTML',
      bytes: bytesOf(
        '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><script>x()</script></html>',
      ),
      ours: 'application/xml',
      relation: same,
    },
    {
      name: 'MP3 with only an ID3 tag',
      bytes: bytesOf('ID3', [4, 0, 0, 0, 0, 0, 0], Buffer.alloc(16)),
      ours: 'audio/mpeg',
      relation: {
        kind: 'stricter',
        theirs: undefined,
        why: 'an ID3 tag marks MP3 audio, never markup or a program',
      },
    },
    {
      name: 'HTML',
      bytes: bytesOf('<!DOCTYPE html><html><body>x</body></html>'),
      ours: 'text/html',
      relation: { kind: 'text' },
    },
    {
      name: 'SVG',
      bytes: bytesOf('<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>'),
      ours: 'image/svg+xml',
      relation: { kind: 'text' },
    },
    {
      name: 'shell script',
      bytes: bytesOf('#!/bin/sh\necho hi\n'),
      ours: 'application/x-sh',
      relation: { kind: 'text' },
    },
    {
      name: 'plain text',
      bytes: bytesOf('Shopping list:\n- tea\n- \xc3\xa9clairs\n'),
      ours: 'text/plain',
      relation: { kind: 'text' },
    },
    {
      name: 'WebAssembly',
      bytes: bytesOf([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
      ours: 'application/octet-stream',
      relation: { kind: 'unmodelled', theirs: 'application/wasm' },
    },
    {
      name: 'SQLite',
      bytes: bytesOf('SQLite format 3\0', Buffer.alloc(84)),
      ours: 'application/octet-stream',
      relation: { kind: 'unmodelled', theirs: 'application/x-sqlite3' },
    },
    {
      name: 'XZ',
      bytes: bytesOf([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0], Buffer.alloc(10)),
      ours: 'application/octet-stream',
      relation: { kind: 'unmodelled', theirs: 'application/x-xz' },
    },
    {
      name: 'FLAC',
      bytes: bytesOf('fLaC', Buffer.alloc(40)),
      ours: 'application/octet-stream',
      relation: { kind: 'unmodelled', theirs: 'audio/flac' },
    },
  ];
}

describe('sniffContentType against file-type', async () => {
  const samples = await corpus();

  it.each(samples.map((sample) => [sample.name, sample] as const))('%s', async (_name, sample) => {
    const ours = sniffContentType(sample.bytes);
    expect(ours).toBe(sample.ours);
    const theirs = (await fileTypeFromBuffer(sample.bytes))?.mime;
    const { relation } = sample;
    switch (relation.kind) {
      case 'same':
        expect(theirs).toBe(ours);
        break;
      case 'alias':
      case 'stricter':
      case 'unmodelled':
        expect(theirs).toBe(relation.theirs);
        break;
      case 'text':
        expect(theirs).toBeUndefined();
        break;
    }
    // Whatever file-type says, a binary format is never taken for text, markup or an inline image by us.
    if (theirs !== undefined && relation.kind === 'unmodelled') {
      expect(isPotentiallyExecutable(undefined, ours)).toBe(false);
      expect(ours).toBe('application/octet-stream');
    }
  });

  it('agrees that every executable in the corpus is one (no name needed)', () => {
    const executables = samples
      .filter((sample) => isPotentiallyExecutable(undefined, sample.ours))
      .map((s) => s.name);
    expect(executables.sort()).toEqual(
      [
        'ELF',
        'PE (MZ)',
        'Mach-O 64',
        'Mach-O universal',
        'Java class',
        'SVG with an XML declaration',
        'XHTML',
        'HTML',
        'SVG',
        'shell script',
      ].sort(),
    );
  });
});

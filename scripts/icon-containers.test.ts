/**
 * The ICO and ICNS encoders, checked by parsing their output back by the formats' specs — both for
 * synthetic input and for the committed assets (assets/icon.ico, assets/icon.icns, assets/icons/).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ICNS_PNG_TYPES, encodeIcns, encodeIco } from './icon-containers.js';

const assets = fileURLToPath(new URL('../assets/', import.meta.url));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR (which the format puts first, right after the signature). */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.toString('ascii', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** A fake PNG: signature + an IHDR claiming `size`×`size` (enough for the parsers above). */
function fakePng(size: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'ascii');
  ihdr.writeUInt32BE(size, 8);
  ihdr.writeUInt32BE(size, 12);
  return Buffer.concat([PNG_SIGNATURE, ihdr, Buffer.from(`payload ${size}`)]);
}

function parseIco(file: Buffer): Array<{ size: number; png: Buffer }> {
  expect(file.readUInt16LE(0)).toBe(0);
  expect(file.readUInt16LE(2)).toBe(1);
  const count = file.readUInt16LE(4);
  return Array.from({ length: count }, (_, index) => {
    const entry = 6 + 16 * index;
    const width = file.readUInt8(entry) || 256;
    expect(file.readUInt8(entry + 1) || 256).toBe(width);
    expect(file.readUInt16LE(entry + 4)).toBe(1);
    expect(file.readUInt16LE(entry + 6)).toBe(32);
    const length = file.readUInt32LE(entry + 8);
    const offset = file.readUInt32LE(entry + 12);
    expect(offset).toBeGreaterThanOrEqual(6 + 16 * count);
    expect(offset + length).toBeLessThanOrEqual(file.length);
    return { size: width, png: file.subarray(offset, offset + length) };
  });
}

function parseIcns(file: Buffer): Map<string, Buffer> {
  expect(file.toString('ascii', 0, 4)).toBe('icns');
  expect(file.readUInt32BE(4)).toBe(file.length);
  const elements = new Map<string, Buffer>();
  let offset = 8;
  while (offset < file.length) {
    const type = file.toString('ascii', offset, offset + 4);
    const length = file.readUInt32BE(offset + 4);
    expect(length).toBeGreaterThan(8);
    expect(offset + length).toBeLessThanOrEqual(file.length);
    elements.set(type, file.subarray(offset + 8, offset + length));
    offset += length;
  }
  expect(offset).toBe(file.length);
  return elements;
}

describe('ICO', () => {
  it('has one directory entry per PNG, with sizes, lengths and offsets that lead to each payload', () => {
    const sizes = [16, 32, 48, 256];
    const images = sizes.map((size) => ({ size, png: fakePng(size) }));
    const parsed = parseIco(encodeIco(images));
    expect(parsed.map((image) => image.size)).toEqual(sizes);
    parsed.forEach((image, index) =>
      expect(image.png.equals(images[index]?.png ?? Buffer.alloc(0))).toBe(true),
    );
  });

  it('refuses a size the directory cannot express', () => {
    expect(() => encodeIco([{ size: 512, png: fakePng(512) }])).toThrow(RangeError);
  });

  it('assets/icon.ico holds real PNGs of the sizes its entries state, 16 to 256 px', async () => {
    const parsed = parseIco(await readFile(path.join(assets, 'icon.ico')));
    expect(parsed.map((image) => image.size)).toEqual(expect.arrayContaining([16, 32, 48, 256]));
    for (const image of parsed) expect(pngSize(image.png)).toEqual({ width: image.size, height: image.size });
  });
});

describe('ICNS', () => {
  it('has the icns header with the file length and ic07…ic14 elements with correct lengths', () => {
    const png = new Map(Object.values(ICNS_PNG_TYPES).map((size) => [size, fakePng(size)]));
    const elements = parseIcns(encodeIcns(png));
    expect([...elements.keys()].sort()).toEqual(Object.keys(ICNS_PNG_TYPES).sort());
    for (const [type, data] of elements)
      expect(data.equals(png.get(ICNS_PNG_TYPES[type] ?? 0) ?? Buffer.alloc(0))).toBe(true);
  });

  it('needs every size', () => {
    expect(() => encodeIcns(new Map([[128, fakePng(128)]]))).toThrow(/no 32 px PNG/);
  });

  it('assets/icon.icns holds real PNGs of each element type’s size, including ic07…ic10', async () => {
    const elements = parseIcns(await readFile(path.join(assets, 'icon.icns')));
    for (const type of ['ic07', 'ic08', 'ic09', 'ic10']) expect(elements.has(type), type).toBe(true);
    for (const [type, data] of elements) {
      const size = ICNS_PNG_TYPES[type];
      expect(pngSize(data)).toEqual({ width: size, height: size });
    }
  });
});

describe('Linux icon set', () => {
  it('assets/icons/<n>x<n>.png are n×n PNGs from 16 to 1024', async () => {
    for (const size of [16, 24, 32, 48, 64, 128, 256, 512, 1024]) {
      const png = await readFile(path.join(assets, 'icons', `${size}x${size}.png`));
      expect(pngSize(png)).toEqual({ width: size, height: size });
    }
  });
});

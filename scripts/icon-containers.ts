/**
 * Icon container encoders for packaging: Windows `.ico` and macOS `.icns`, both holding PNG payloads
 * (supported since Windows Vista and macOS 10.7). Used by scripts/generate-icons.ts.
 */

interface PngImage {
  /** Width = height in pixels. */
  readonly size: number;
  readonly png: Buffer;
}

/**
 * ICO: a 6-byte ICONDIR (reserved 0, type 1 = icon, count), one 16-byte ICONDIRENTRY per image (width and
 * height as one byte each, 0 meaning 256; colour count 0; planes 1; 32 bits per pixel; payload length and
 * offset, little-endian), then the PNG payloads.
 */
export function encodeIco(images: readonly PngImage[]): Buffer {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, index) => {
    if (size < 1 || size > 256) throw new RangeError(`an ICO image is 1–256 px, not ${size}`);
    const entry = 6 + 16 * index;
    header.writeUInt8(size === 256 ? 0 : size, entry);
    header.writeUInt8(size === 256 ? 0 : size, entry + 1);
    header.writeUInt8(0, entry + 2);
    header.writeUInt8(0, entry + 3);
    header.writeUInt16LE(1, entry + 4);
    header.writeUInt16LE(32, entry + 6);
    header.writeUInt32LE(png.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map((image) => image.png)]);
}

/** ICNS element types that hold a PNG, by pixel size (the @2x types share pixels with larger 1x ones). */
export const ICNS_PNG_TYPES: Readonly<Record<string, number>> = {
  ic11: 32, // 16@2x
  ic12: 64, // 32@2x
  ic07: 128,
  ic13: 256, // 128@2x
  ic08: 256,
  ic14: 512, // 256@2x
  ic09: 512,
  ic10: 1024, // 512@2x
};

/**
 * ICNS: the magic `icns` and the whole file's length (big-endian u32), then elements: a four-character
 * type, the element's length including its 8-byte header (big-endian u32), the PNG bytes.
 */
export function encodeIcns(pngBySize: ReadonlyMap<number, Buffer>): Buffer {
  const elements = Object.entries(ICNS_PNG_TYPES).map(([type, size]) => {
    const png = pngBySize.get(size);
    if (!png) throw new Error(`no ${size} px PNG for the ICNS element ${type}`);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + elements.reduce((n, element) => n + element.length, 0), 4);
  return Buffer.concat([head, ...elements]);
}

/**
 * The workshop's "what a contact receives" photo: a sample JPEG carrying what a phone writes (GPS
 * position, camera, date taken), and a reader that shows those fields from any JPEG's EXIF block — the
 * original's and the copy the contact decrypted are read by the same code.
 */
import sharp from 'sharp';

export interface PhotoMetadata {
  /** "48.85823° N, 2.29452° E", or null when the photo carries no GPS position. */
  readonly gps: string | null;
  /** Make and model, or null. */
  readonly camera: string | null;
  /** The EXIF date/time as written ("2026:11:30 14:02:11"), or null. */
  readonly takenAt: string | null;
  /** Whether any EXIF block is present at all. */
  readonly exif: boolean;
}

/** A small JPEG with a GPS position (the Eiffel Tower), a camera and a date, as a phone would write it. */
export function workshopSamplePhoto(): Promise<Buffer> {
  return sharp({ create: { width: 320, height: 240, channels: 3, background: '#3a78b5' } })
    .withMetadata({
      exif: {
        IFD0: { Make: 'WorkshopPhone', Model: 'Camera 12 Pro', DateTime: '2026:11:30 14:02:11' },
        IFD3: {
          GPSLatitudeRef: 'N',
          GPSLatitude: '48/1 51/1 2964/100',
          GPSLongitudeRef: 'E',
          GPSLongitude: '2/1 17/1 4026/100',
        },
      },
    })
    .jpeg()
    .toBuffer();
}

const TAG = { make: 0x010f, model: 0x0110, dateTime: 0x0132, gpsIfd: 0x8825 } as const;
const GPS = { latRef: 1, lat: 2, lonRef: 3, lon: 4 } as const;
const TYPE_SIZE: Readonly<Record<number, number>> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };

interface Entry {
  readonly type: number;
  readonly count: number;
  /** Offset of the value in the TIFF block (inline values point into the entry). */
  readonly at: number;
}

/** Reads a TIFF block (the EXIF payload after "Exif\0\0"); bounds-checked, never throws on bad input. */
class Tiff {
  readonly #little: boolean;
  constructor(readonly bytes: Buffer) {
    this.#little = bytes.toString('latin1', 0, 2) === 'II';
  }
  u16(at: number): number {
    return this.#little ? this.bytes.readUInt16LE(at) : this.bytes.readUInt16BE(at);
  }
  u32(at: number): number {
    return this.#little ? this.bytes.readUInt32LE(at) : this.bytes.readUInt32BE(at);
  }
  ifd(offset: number): Map<number, Entry> {
    const entries = new Map<number, Entry>();
    if (offset + 2 > this.bytes.length) return entries;
    const count = Math.min(this.u16(offset), 200);
    for (let i = 0; i < count; i++) {
      const base = offset + 2 + i * 12;
      if (base + 12 > this.bytes.length) break;
      const type = this.u16(base + 2);
      const n = this.u32(base + 4);
      const size = (TYPE_SIZE[type] ?? 1) * n;
      const at = size <= 4 ? base + 8 : this.u32(base + 8);
      if (at + size <= this.bytes.length) entries.set(this.u16(base), { type, count: n, at });
    }
    return entries;
  }
  text(entry: Entry | undefined): string | null {
    if (entry?.type !== 2) return null;
    const value = this.bytes.toString('latin1', entry.at, entry.at + entry.count).replace(/\0+$/, '');
    return value.trim() || null;
  }
  /** Degrees from three rationals (degrees, minutes, seconds). */
  degrees(entry: Entry | undefined): number | null {
    if (entry?.type !== 5 || entry.count !== 3) return null;
    const part = (i: number) => {
      const den = this.u32(entry.at + i * 8 + 4);
      return den === 0 ? 0 : this.u32(entry.at + i * 8) / den;
    };
    return part(0) + part(1) / 60 + part(2) / 3600;
  }
}

function readTiff(tiff: Tiff): PhotoMetadata {
  const ifd0 = tiff.ifd(tiff.u32(4));
  const camera = [tiff.text(ifd0.get(TAG.make)), tiff.text(ifd0.get(TAG.model))].filter(Boolean).join(' ');
  const gpsPointer = ifd0.get(TAG.gpsIfd);
  let gps: string | null = null;
  if (gpsPointer) {
    const g = tiff.ifd(tiff.u32(gpsPointer.at));
    const lat = tiff.degrees(g.get(GPS.lat));
    const lon = tiff.degrees(g.get(GPS.lon));
    if (lat !== null && lon !== null) {
      gps = `${lat.toFixed(5)}° ${tiff.text(g.get(GPS.latRef)) ?? ''}, ${lon.toFixed(5)}° ${tiff.text(g.get(GPS.lonRef)) ?? ''}`;
    }
  }
  return { gps, camera: camera || null, takenAt: tiff.text(ifd0.get(TAG.dateTime)), exif: true };
}

/** The metadata fields of a JPEG (its APP1 "Exif" segment); all null when there is none. */
export function readPhotoMetadata(jpeg: Buffer): PhotoMetadata {
  const none: PhotoMetadata = { gps: null, camera: null, takenAt: null, exif: false };
  if (jpeg.length < 4 || jpeg.readUInt16BE(0) !== 0xffd8) return none;
  let at = 2;
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff) {
    const marker = jpeg[at + 1] ?? 0;
    const length = jpeg.readUInt16BE(at + 2);
    if (marker === 0xda || length < 2) break; // start of scan: no more metadata segments
    const payload = jpeg.subarray(at + 4, at + 2 + length);
    if (marker === 0xe1 && payload.toString('latin1', 0, 6) === 'Exif\0\0' && payload.length > 14) {
      try {
        return readTiff(new Tiff(payload.subarray(6)));
      } catch {
        return { ...none, exif: true };
      }
    }
    at += 2 + length;
  }
  return none;
}

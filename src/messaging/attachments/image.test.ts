import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { AttachmentRejectedError } from './errors.js';
import { makeThumbnail, stripImageMetadata } from './image.js';
import { prepareOutgoingAttachment } from './service.js';
import { metadataMarkers, photoWithMetadata } from './image.test-support.js';

describe('image metadata stripping', () => {
  it('the test photo really carries EXIF, GPS, XMP, camera data and an ICC profile', async () => {
    const photo = await photoWithMetadata('jpeg');
    const markers = metadataMarkers(photo);
    expect(markers).toEqual(
      expect.arrayContaining(['Exif header', 'camera make', 'camera model', 'XMP payload', 'ICC']),
    );
    expect(markers.some((m) => m.startsWith('GPS IFD tag'))).toBe(true);
    const meta = await sharp(photo).metadata();
    expect(meta.orientation).toBe(6);
    expect(meta.exif).toBeDefined();
  });

  for (const format of ['jpeg', 'png', 'webp'] as const) {
    it(`re-encodes ${format} without any metadata and with the orientation applied`, async () => {
      const photo = await photoWithMetadata(format);
      expect(metadataMarkers(photo).length).toBeGreaterThan(0);
      const clean = await stripImageMetadata(photo);
      expect(clean.contentType).toBe(`image/${format}`);
      expect(metadataMarkers(clean.bytes)).toEqual([]);
      const meta = await sharp(clean.bytes).metadata();
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
      expect(meta.icc).toBeUndefined();
      expect(meta.orientation ?? 1).toBe(1);
      // 64×32 stored with "rotate 90°": upright it is 32×64.
      expect([meta.width, meta.height]).toEqual([32, 64]);
      expect([clean.width, clean.height]).toEqual([32, 64]);
      // The pixels survived: the top-left pixel is still the fill colour (JPEG/WebP are lossy).
      const { data } = await sharp(clean.bytes).raw().toBuffer({ resolveWithObject: true });
      expect(Math.abs((data[0] ?? 0) - 0xc0)).toBeLessThan(12);
    });
  }

  it('prepareOutgoingAttachment strips photos and leaves the file name off by default', async () => {
    const photo = await photoWithMetadata('jpeg');
    const prepared = await prepareOutgoingAttachment({ bytes: photo, fileName: 'IMG_2026-11-23_Paris.jpg' });
    expect(prepared.metadataStripped).toBe(true);
    expect(prepared.fileName).toBeUndefined();
    expect(metadataMarkers(prepared.bytes)).toEqual([]);
    expect(prepared.thumbnail).toBeDefined();
    expect(metadataMarkers(prepared.thumbnail!.bytes)).toEqual([]);
    const named = await prepareOutgoingAttachment({ bytes: photo, fileName: 'x.jpg', includeFileName: true });
    expect(named.fileName).toBe('x.jpg');
    // Documents keep their (sanitised) name by default.
    const doc = await prepareOutgoingAttachment({
      bytes: Buffer.from('%PDF-1.7\n...'),
      fileName: '../../etc/report.pdf',
    });
    expect(doc.fileName).toBe('report.pdf');
    expect(doc.contentType).toBe('application/pdf');
    expect(doc.metadataStripped).toBe(false);
  });

  it('makes small thumbnails and refuses undecodable images with a typed error', async () => {
    const big = await sharp({ create: { width: 2000, height: 1000, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();
    const thumb = await makeThumbnail(big);
    expect(Math.max(thumb.width, thumb.height)).toBeLessThanOrEqual(320);
    expect(thumb.bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 7)]);
    await expect(stripImageMetadata(broken)).rejects.toBeInstanceOf(AttachmentRejectedError);
    await expect(stripImageMetadata(Buffer.from('hello'))).rejects.toMatchObject({ reason: 'image' });
  });
});

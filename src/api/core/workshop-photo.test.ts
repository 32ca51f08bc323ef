import { describe, expect, it } from 'vitest';
import { stripImageMetadata } from '../../messaging/attachments/image.js';
import { readPhotoMetadata, workshopSamplePhoto } from './workshop-photo.js';

describe('the workshop photo and its EXIF reader', () => {
  it('reads GPS, camera and date from the sample, and nothing once our attachment path stripped it', async () => {
    const photo = await workshopSamplePhoto();
    expect(readPhotoMetadata(photo)).toEqual({
      gps: '48.85823° N, 2.29452° E',
      camera: 'WorkshopPhone Camera 12 Pro',
      takenAt: '2026:11:30 14:02:11',
      exif: true,
    });
    const stripped = await stripImageMetadata(photo);
    expect(readPhotoMetadata(stripped.bytes)).toEqual({
      gps: null,
      camera: null,
      takenAt: null,
      exif: false,
    });
  });

  it('never throws on bytes that are not a JPEG or carry a broken EXIF block', () => {
    const none = { gps: null, camera: null, takenAt: null, exif: false };
    expect(readPhotoMetadata(Buffer.from('not a photo'))).toEqual(none);
    const broken = Buffer.concat([
      Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x18]),
      Buffer.from('Exif\0\0MM\0\x2a\xff\xff\xff\xff\0\0\0\0\0\0', 'latin1'),
    ]);
    expect(readPhotoMetadata(broken).gps).toBeNull();
  });
});

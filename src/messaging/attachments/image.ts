/**
 * Image privacy, in the core: photos are decoded and re-encoded with sharp (libvips, prebuilt from npm)
 * before they are encrypted, which drops EXIF (GPS, camera, serial numbers, timestamps), XMP, IPTC,
 * comments and ICC profiles (pixels are converted to sRGB). The EXIF orientation is applied to the
 * pixels first (`rotate()`), so the picture still looks right without its tag. Thumbnails are made here
 * too, so the renderer never decodes or fetches anything itself.
 */
import sharp from 'sharp';
import { AttachmentRejectedError } from './errors.js';
import { isStrippableImage, sniffContentType, type SniffedType } from './content-type.js';

/** Decoding bombs: refuse images above this many pixels (about 8k × 8k). */
const MAX_INPUT_PIXELS = 64 * 1024 * 1024;
const THUMBNAIL_EDGE = 320;

export interface StrippedImage {
  readonly bytes: Buffer;
  readonly contentType: 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif';
  readonly width: number;
  readonly height: number;
}

function outputTypeFor(type: SniffedType): StrippedImage['contentType'] {
  if (type === 'image/png' || type === 'image/webp' || type === 'image/gif') return type;
  return 'image/jpeg';
}

/**
 * Re-encodes an image without any metadata. PNG, WebP and GIF (animation kept) stay in their format;
 * JPEG, HEIC, AVIF, TIFF and BMP become JPEG. Undecodable input is an AttachmentRejectedError('image').
 */
export async function stripImageMetadata(input: Uint8Array, sniffed?: SniffedType): Promise<StrippedImage> {
  const type = sniffed ?? sniffContentType(input);
  if (!isStrippableImage(type)) {
    throw new AttachmentRejectedError('image', 'This file is not an image that can be cleaned.');
  }
  const contentType = outputTypeFor(type);
  try {
    let pipeline = sharp(input, {
      limitInputPixels: MAX_INPUT_PIXELS,
      animated: contentType === 'image/gif' || contentType === 'image/webp',
      failOn: 'error',
    }).rotate();
    switch (contentType) {
      case 'image/png':
        pipeline = pipeline.png();
        break;
      case 'image/webp':
        pipeline = pipeline.webp({ quality: 90 });
        break;
      case 'image/gif':
        pipeline = pipeline.gif();
        break;
      default:
        pipeline = pipeline.jpeg({ quality: 90, mozjpeg: false });
    }
    const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
    return {
      bytes: data,
      contentType,
      width: info.width,
      height: info.pageHeight ?? info.height,
    };
  } catch (error) {
    throw new AttachmentRejectedError('image', 'The image could not be decoded.', { cause: error });
  }
}

export interface Thumbnail {
  readonly bytes: Buffer;
  readonly contentType: 'image/jpeg';
  readonly width: number;
  readonly height: number;
}

/** A small JPEG (longest edge ≤ 320 px, first frame, no metadata) for previews. */
export async function makeThumbnail(input: Uint8Array): Promise<Thumbnail> {
  try {
    const { data, info } = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
      .rotate()
      .resize(THUMBNAIL_EDGE, THUMBNAIL_EDGE, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 70 })
      .toBuffer({ resolveWithObject: true });
    return { bytes: data, contentType: 'image/jpeg', width: info.width, height: info.height };
  } catch (error) {
    throw new AttachmentRejectedError('image', 'The image could not be decoded.', { cause: error });
  }
}

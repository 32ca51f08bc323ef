/** Test support: a photo carrying every kind of metadata a phone writes, and byte markers to find it. */
import sharp from 'sharp';

const MAKE = 'CarapaceCam';
const MODEL = 'SecretModel-X1';
const XMP_MARK = 'carapace-xmp-secret-location';

/** A photo as a phone writes it: EXIF camera data, a GPS IFD, XMP, an ICC profile, orientation 6. */
export async function photoWithMetadata(format: 'jpeg' | 'png' | 'webp' = 'jpeg'): Promise<Buffer> {
  let image = sharp({ create: { width: 64, height: 32, channels: 3, background: '#c04020' } })
    .withMetadata({
      orientation: 6,
      exif: {
        IFD0: { Make: MAKE, Model: MODEL, Software: 'TraceSoft' },
        IFD3: {
          GPSLatitudeRef: 'N',
          GPSLatitude: '48/1 51/1 2964/100',
          GPSLongitudeRef: 'E',
          GPSLongitude: '2/1 17/1 4026/100',
        },
      },
    })
    .withIccProfile('p3')
    .withXmp(
      `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>${XMP_MARK}</dc:title></rdf:Description></rdf:RDF></x:xmpmeta>`,
    );
  image = format === 'jpeg' ? image.jpeg() : format === 'png' ? image.png() : image.webp();
  return image.toBuffer();
}

/** Byte markers of metadata blocks: EXIF header, GPS IFD tag (both byte orders), XMP, ICC, our strings. */
export function metadataMarkers(bytes: Buffer): string[] {
  const found: string[] = [];
  const check = (name: string, needle: Buffer): void => {
    if (bytes.includes(needle)) found.push(name);
  };
  check('Exif header', Buffer.from('Exif\0\0', 'latin1'));
  check('EXIF in PNG/WebP chunk', Buffer.from('eXIf', 'latin1'));
  check('EXIF chunk', Buffer.from('EXIF', 'latin1'));
  check('TIFF II header', Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08]));
  check('TIFF MM header', Buffer.from([0x4d, 0x4d, 0x00, 0x2a, 0x00]));
  check('GPS IFD tag LE', Buffer.from([0x25, 0x88, 0x04, 0x00]));
  check('GPS IFD tag BE', Buffer.from([0x88, 0x25, 0x00, 0x04]));
  check('camera make', Buffer.from(MAKE));
  check('camera model', Buffer.from(MODEL));
  check('XMP', Buffer.from('http://ns.adobe.com/xap/1.0/'));
  check('XMP payload', Buffer.from(XMP_MARK));
  check('xmpmeta', Buffer.from('xmpmeta'));
  check('ICC', Buffer.from('ICC_PROFILE'));
  check('iCCP', Buffer.from('iCCP'));
  check('ICCP', Buffer.from('ICCP'));
  return found;
}

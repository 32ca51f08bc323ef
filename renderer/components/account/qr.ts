/**
 * QR codes in the renderer only: a username link is drawn as a data: URL (allowed by img-src, so no object
 * URL outlives the screen), and read back from an image FILE the user picks (decoded from the canvas's
 * pixels with jsQR — nothing is uploaded, no camera is used). jsQR is loaded only when a picture is read, so
 * the app's entry chunk does not carry it.
 */
import QRCode from 'qrcode';

export const QR_SIZE = 220;
/** Bigger pictures are scaled down before decoding: a phone photo has far more pixels than a QR needs. */
const MAX_DECODE_SIDE = 1600;

export function qrDataUrl(text: string): Promise<string> {
  return QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 2, width: QR_SIZE });
}

/** The text of the first QR code in an image file; null when the picture holds none (or is no image). */
export async function readQrFromImage(file: Blob): Promise<string | null> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return null;
  }
  try {
    const scale = Math.min(1, MAX_DECODE_SIDE / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) return null;
    context.drawImage(bitmap, 0, 0, width, height);
    const { data } = context.getImageData(0, 0, width, height);
    const { default: jsQR } = await import('jsqr');
    return jsQR(data, width, height, { inversionAttempts: 'attemptBoth' })?.data ?? null;
  } finally {
    bitmap.close();
  }
}

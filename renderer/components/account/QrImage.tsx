import { useEffect, useState } from 'react';
import { QR_SIZE, qrDataUrl } from './qr.js';

/** `text` drawn as a QR code (a data: URL image; redrawn when the text changes). */
export function QrImage({ text, alt }: { text: string; alt: string }) {
  const [drawn, setDrawn] = useState<{ text: string; url: string } | null>(null);
  useEffect(() => {
    let live = true;
    void qrDataUrl(text).then((url) => {
      if (live) setDrawn({ text, url });
    });
    return () => {
      live = false;
    };
  }, [text]);
  // A code of the previous text is never shown for the new one (e.g. right after a link reset).
  if (drawn?.text !== text) return null;
  return <img className="qr" src={drawn.url} alt={alt} width={QR_SIZE} height={QR_SIZE} />;
}

/**
 * The link preview of an outgoing text, as Signal's DataMessage.preview carries it. Its text was checked
 * and bounded by acceptPreview (src/net/link-preview-rules.ts); its image goes the attachment way
 * (metadata stripped, encrypted, uploaded) and travels as the preview's AttachmentPointer.
 */
import { errorFields, log } from '../log.js';
import { PREVIEW_MAX_IMAGE_BYTES, type PreviewText } from '../net/link-preview-rules.js';
import type { AttachmentPointer, Preview } from '../signal/proto/signal-service.js';
import { isInlineImage } from './attachments/content-type.js';
import { prepareOutgoingAttachment, type PreparedAttachment } from './attachments/service.js';

/** A link preview to send with a text (from the composer: fetched by the core, shown to the user). */
export interface OutgoingPreview {
  readonly url: string;
  readonly title: string;
  readonly description?: string;
  /** The page's image bytes; re-encoded without metadata and sent as an attachment pointer. */
  readonly image?: Uint8Array;
}

/** The image prepared like an attachment (metadata stripped), or undefined: the preview goes without it. */
export async function preparePreviewImage(
  bytes: Uint8Array | undefined,
): Promise<PreparedAttachment | undefined> {
  if (bytes === undefined || bytes.length === 0 || bytes.length > PREVIEW_MAX_IMAGE_BYTES) return undefined;
  try {
    const prepared = await prepareOutgoingAttachment({ bytes });
    if (isInlineImage(prepared.contentType)) return prepared;
    prepared.bytes.fill(0);
    prepared.thumbnail?.bytes.fill(0);
  } catch (error) {
    log.info('messaging.send.preview_image_dropped', errorFields(error));
  }
  return undefined;
}

/** The DataMessage.preview entry. */
export function previewField(text: PreviewText, image: AttachmentPointer | undefined): Preview {
  return {
    url: text.url,
    title: text.title,
    ...(text.description !== null ? { description: text.description } : {}),
    ...(image ? { image } : {}),
  };
}

/**
 * The DataMessage of one of our stored messages, built from its row — one rule for its first send and for
 * a resend (./sender.ts), so "Send again" carries exactly what the first send did: text, quote (as Signal
 * encodes it), link preview, attachments, view-once flag, under the message's own timestamp. The caller
 * adds the timer fields and our profile key, which belong to the chat at the moment of sending.
 */
import type { AttachmentPointer, DataMessage, Quote } from '../signal/proto/signal-service.js';
import type { QuoteInput } from './message-meaning.js';
import { previewField } from './outgoing-preview.js';
import type { Message } from './store.js';

function quoteProto(stored: QuoteInput): Quote {
  const { attachment } = stored;
  return {
    id: stored.sentAt,
    authorAci: stored.authorServiceId,
    text: stored.text,
    type: 0,
    ...(attachment
      ? {
          attachments: [
            {
              ...(attachment.contentType ? { contentType: attachment.contentType } : {}),
              ...(attachment.fileName ? { fileName: attachment.fileName } : {}),
            },
          ],
        }
      : {}),
  };
}

/** `pointers`: the uploaded files by attachment id (the link preview's image among them). */
export function dataMessageOf(
  message: Message,
  pointers: ReadonlyMap<string, AttachmentPointer>,
  extras: Pick<DataMessage, 'expireTimer' | 'expireTimerVersion' | 'profileKey'>,
): DataMessage {
  const previewImage = message.preview?.imageAttachmentId ?? null;
  const attachments = message.attachmentIds
    .filter((id) => id !== previewImage)
    .map((id) => pointers.get(id))
    .filter((pointer): pointer is AttachmentPointer => pointer !== undefined);
  const preview = message.preview;
  return {
    ...(message.body !== null && message.body !== '' ? { body: message.body } : {}),
    ...(attachments.length > 0 ? { attachments } : {}),
    timestamp: message.sentAt,
    ...(preview
      ? {
          preview: [
            previewField(
              { url: preview.url, title: preview.title, description: preview.description },
              previewImage !== null ? pointers.get(previewImage) : undefined,
            ),
          ],
        }
      : {}),
    ...(message.quote ? { quote: quoteProto(message.quote) } : {}),
    ...(message.viewOnce ? { isViewOnce: true } : {}),
    ...extras,
  };
}

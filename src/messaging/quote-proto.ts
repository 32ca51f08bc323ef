/**
 * A reply's quote as Signal encodes it (DataMessage.Quote), from what we store with the reply — one rule
 * for the first send (./changes.ts quoteOf) and a resend (./resend.ts).
 */
import type { Quote } from '../signal/proto/signal-service.js';
import type { QuoteInput } from './message-meaning.js';

export function quoteProto(stored: QuoteInput): Quote {
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

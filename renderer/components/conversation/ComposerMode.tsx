import type { Message } from '../../../src/api/contract.js';
import { quoteParts } from './QuoteBlock.js';

/** The composer answers a message (a quote goes with the text) or edits one of ours. */
export interface ComposerMode {
  kind: 'reply' | 'edit';
  message: Message;
}

/** The bar above the composer's text: what is replied to or edited, and how to cancel (also Escape). */
export function ComposerModeBar({
  mode,
  contactName,
  onCancel,
}: {
  mode: ComposerMode;
  contactName: string;
  onCancel: () => void;
}) {
  const { message } = mode;
  const { author, text } = quoteParts(
    {
      authorIsYou: message.direction === 'out',
      // In a group the message names its author; in a 1:1 chat it is the contact.
      ...(message.author ? { author: message.author } : {}),
      text: message.body,
      attachment: message.attachments[0]
        ? {
            contentType: message.attachments[0].contentType,
            fileName: message.attachments[0].fileName,
            hasThumbnail: false,
          }
        : null,
    },
    contactName,
  );
  const title = mode.kind === 'reply' ? `Replying to ${author}` : 'Editing your message';
  return (
    <div className={`composer-mode ${mode.kind}`} role="group" aria-label={title}>
      <div className="composer-mode-text">
        <strong>{title}</strong>
        <span className="quote-text">{text}</span>
      </div>
      <button
        type="button"
        onClick={onCancel}
        aria-label={mode.kind === 'reply' ? 'Cancel reply' : 'Cancel edit'}
      >
        ×
      </button>
    </div>
  );
}

import type { Quote } from '../../../src/api/contract.js';

function attachmentLabel(attachment: Quote['attachment']): string {
  if (!attachment) return '';
  const type = attachment.contentType ?? '';
  if (type.startsWith('image/')) return 'Photo';
  if (type.startsWith('video/')) return 'Video';
  if (type.startsWith('audio/')) return 'Audio';
  return attachment.fileName ?? 'File';
}

/**
 * Who a quote names and its excerpt (the composer's reply bar shows the same): in a group the quoted
 * member's name, in a 1:1 chat the contact's.
 */
export function quoteParts(
  quote: Pick<Quote, 'authorIsYou' | 'text' | 'attachment' | 'author'>,
  contactName: string,
) {
  return {
    author: quote.authorIsYou ? 'You' : (quote.author?.name ?? contactName),
    text: quote.text || attachmentLabel(quote.attachment),
  };
}

/**
 * The message a reply quotes, at the top of its bubble: a button that jumps to the original, or — when we
 * do not have it (never had, expired, deleted) — "Original message not found".
 */
export function QuoteBlock({
  quote,
  contactName,
  onJump,
}: {
  quote: Quote;
  contactName: string;
  onJump: (messageId: string) => void;
}) {
  const { author, text } = quoteParts(quote, contactName);
  const content = (
    <>
      <span className="quote-author">{author}</span>{' '}
      {text ? <span className="quote-text">{text}</span> : null}
    </>
  );
  if (!quote.found || quote.messageId === null) {
    return (
      <div className="quote missing">
        {content}
        <span className="quote-missing">Original message not found</span>
      </div>
    );
  }
  const messageId = quote.messageId;
  return (
    <button
      type="button"
      className="quote"
      title="Go to the quoted message"
      onClick={() => onJump(messageId)}
    >
      <span className="visually-hidden">Reply to: </span>
      {content}
    </button>
  );
}

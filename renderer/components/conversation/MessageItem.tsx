import type { Message } from '../../../src/api/contract.js';
import { MessageAttachments } from '../Attachments.js';
import { MessagePreviewCard } from '../LinkPreview.js';
import { DaySeparator } from './DaySeparator.js';
import { sameDay } from './format.js';
import { MessageMeta } from './MessageMeta.js';

function eventText(message: Message): string {
  switch (message.kind) {
    case 'identity-changed':
      return 'The safety number with this contact changed.';
    case 'timer-changed':
      return 'The disappearing-messages timer changed.';
    default:
      return 'A message could not be decrypted.';
  }
}

/** One timeline row: a day separator when the day changes, then the message (a bubble) or an event line. */
export function MessageItem({ message, previous }: { message: Message; previous: Message | undefined }) {
  const newDay = !previous || !sameDay(previous.sentAt, message.sentAt);
  return (
    <>
      {newDay ? <DaySeparator at={message.sentAt} /> : null}
      {message.kind === 'text' ? (
        <div className={`bubble ${message.direction}`}>
          <MessageAttachments message={message} />
          {message.body ? <p className="bubble-text">{message.body}</p> : null}
          <MessagePreviewCard message={message} />
          <MessageMeta message={message} />
        </div>
      ) : (
        <div className="timeline-event">{eventText(message)}</div>
      )}
    </>
  );
}

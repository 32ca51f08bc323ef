import type { Message } from '../../../src/api/contract.js';
import { DeliveryTicks } from './DeliveryTicks.js';
import { compactTime, fullDateTime } from './format.js';

/** Under a bubble's text: the compact time (full date in the tooltip), "disappearing", our delivery ticks. */
export function MessageMeta({ message }: { message: Message }) {
  return (
    <span className="meta">
      <time dateTime={new Date(message.sentAt).toISOString()} title={fullDateTime(message.sentAt)}>
        {compactTime(message.sentAt)}
      </time>
      {message.editedAt && !message.deleted ? (
        <span className="edited" title={`Edited ${fullDateTime(message.editedAt)}`}>
          edited
        </span>
      ) : null}
      {message.expiresAt ? (
        <span className="meta-timer" title="Disappearing message">
          <svg viewBox="0 0 12 12" width="11" height="11" aria-hidden="true" focusable="false">
            <circle cx="6" cy="6.5" r="4.5" className="tick-ring" />
            <path d="M6 4v2.7l1.6 1" className="tick-check" />
          </svg>
          <span className="visually-hidden">disappearing</span>
        </span>
      ) : null}
      {message.direction === 'out' && message.status !== 'received' ? (
        <DeliveryTicks status={message.status} />
      ) : null}
    </span>
  );
}

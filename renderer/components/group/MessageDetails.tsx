import { useEffect, useState } from 'react';
import type { ApiError, CommandOutput, Message } from '../../../src/api/contract.js';
import { getApi } from '../../bridge.js';
import { ErrorText } from '../ErrorText.js';
import { fullDateTime } from '../conversation/format.js';
import { MemberName } from './GroupAvatar.js';

type Recipient = CommandOutput<'messages.recipients'>[number];

/** Signal's words for a member's delivery state of our message, grouped in this order. */
const STATUS_ORDER = ['read', 'viewed', 'delivered', 'sent', 'sending', 'pending', 'failed'];
const STATUS_LABEL: Record<string, string> = {
  read: 'Read',
  viewed: 'Viewed',
  delivered: 'Delivered',
  sent: 'Sent',
  sending: 'Sending',
  pending: 'Sending',
  failed: 'Not sent',
};

/** Message details for our own group message: when it was sent, and each member's delivery state. */
export function MessageDetails({ message, onClose }: { message: Message; onClose: () => void }) {
  const [recipients, setRecipients] = useState<Recipient[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    let live = true;
    void getApi()
      .messages.recipients({ messageId: message.id })
      .then((result) => {
        if (!live) return;
        if (result.ok) setRecipients(result.value);
        else setError(result.error);
      });
    return () => {
      live = false;
    };
  }, [message.id, message.status]);

  const sorted = (recipients ?? [])
    .slice()
    .sort((a, b) => rank(a.status) - rank(b.status) || a.name.localeCompare(b.name));
  return (
    <>
      <p>Sent {fullDateTime(message.sentAt)}</p>
      <ErrorText error={error} />
      {recipients === null ? (
        error ? null : (
          <p className="muted" role="status">
            Loading…
          </p>
        )
      ) : recipients.length === 0 ? (
        <p className="muted">Nobody else is in the group.</p>
      ) : (
        <ul className="message-recipients" aria-label="Delivery to each member">
          {sorted.map((r) => (
            <li key={r.serviceId}>
              <MemberName serviceId={r.serviceId} name={r.name} />
              <span className={`recipient-status ${r.status}`}>{STATUS_LABEL[r.status] ?? r.status}</span>
            </li>
          ))}
        </ul>
      )}
      <div className="row">
        <button type="button" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </>
  );
}

function rank(status: string): number {
  const at = STATUS_ORDER.indexOf(status);
  return at < 0 ? STATUS_ORDER.length : at;
}

import type { Message } from '../../../src/api/contract.js';

type OutgoingStatus = Exclude<Message['status'], 'received'>;

/** What each state is called, for screen readers and the tooltip. */
const DELIVERY_LABELS: Record<OutgoingStatus, string> = {
  sending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Not sent',
};

/** A circle with a check, Signal's tick; `filled` for read. */
function Tick({ x, filled }: { x: number; filled: boolean }) {
  return (
    <g transform={`translate(${x} 0)`}>
      <circle cx="6" cy="6" r="5.25" className={filled ? 'tick-fill' : 'tick-ring'} />
      <path d="M3.5 6.2l1.7 1.7 3.3-3.5" className={filled ? 'tick-check-on-fill' : 'tick-check'} />
    </g>
  );
}

function Icon({ status }: { status: OutgoingStatus }) {
  switch (status) {
    case 'sending':
      return <circle cx="6" cy="6" r="5.25" className="tick-ring tick-pending" />;
    case 'sent':
      return <Tick x={0} filled={false} />;
    case 'delivered':
    case 'read':
      return (
        <>
          <Tick x={0} filled={status === 'read'} />
          <Tick x={7} filled={status === 'read'} />
        </>
      );
    case 'failed':
      return (
        <>
          <circle cx="6" cy="6" r="5.25" className="tick-fail" />
          <path d="M6 3v3.6M6 8.4v.4" className="tick-check-on-fill" />
        </>
      );
  }
}

/**
 * The delivery state of one of our messages as Signal draws it (one tick sent, two delivered, two filled
 * read, a red mark when it failed), with its name as text for screen readers (the icon is hidden).
 */
export function DeliveryTicks({ status }: { status: OutgoingStatus }) {
  const label = DELIVERY_LABELS[status];
  return (
    <span className={`ticks ticks-${status}`} title={label} data-status={status}>
      <svg viewBox="0 0 19 12" width="19" height="12" aria-hidden="true" focusable="false">
        <Icon status={status} />
      </svg>
      {/* A failure is said in words on screen too; the other states by the icon (and this hidden text). */}
      <span className={status === 'failed' ? 'ticks-failed-text' : 'visually-hidden'}>{label}</span>
    </span>
  );
}

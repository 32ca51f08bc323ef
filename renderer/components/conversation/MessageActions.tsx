import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { isSingleEmoji, type Conversation, type Message } from '../../../src/api/contract.js';
import { allowedActions, offersDetails } from './message-rules.js';

/** Signal's quick reactions; any other emoji can be typed. */
const QUICK_REACTIONS = ['❤️', '👍', '👎', '😂', '😮', '😢'] as const;

export interface MessageActionHandlers {
  onReact: (emoji: string, remove: boolean) => void;
  onReply: () => void;
  onEdit: () => void;
  onDelete: () => void;
  /** Send our failed message again. */
  onResend: () => void;
  /** Message details (each group member's delivery of our message). */
  onDetails: () => void;
  /** `refocus`: give the focus back to the message (Escape, an action); not when it moved elsewhere. */
  onClose: (refocus: boolean) => void;
}

/**
 * A message's actions menu (opened by its ⋯ button, Enter, the context-menu key, Shift+F10 or a right
 * click): quick reactions and "Other emoji…", Send again (our failed message), Reply, Edit, Delete….
 * Arrow keys move, Escape closes.
 */
export function MessageActions({
  message,
  conversation,
  placeAbove,
  handlers,
}: {
  message: Message;
  conversation: Conversation;
  placeAbove: boolean;
  handlers: MessageActionHandlers;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [other, setOther] = useState(false);
  const [emoji, setEmoji] = useState('');
  const inputId = useId();
  const allowed = allowedActions(message, conversation);
  const mine = message.reactions.find((g) => g.includesYou)?.emoji;

  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('[role="menuitem"], input')?.focus();
  }, [other]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      handlers.onClose(true);
      return;
    }
    if (other) return;
    if (event.key === 'Tab') return handlers.onClose(true);
    const items = Array.from(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
    const at = items.indexOf(document.activeElement as HTMLElement);
    const n = items.length;
    const next =
      event.key === 'ArrowDown' || event.key === 'ArrowRight'
        ? (at + 1) % n
        : event.key === 'ArrowUp' || event.key === 'ArrowLeft'
          ? (at - 1 + n) % n
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? n - 1
              : -1;
    if (next < 0) return;
    event.preventDefault();
    event.stopPropagation();
    items[next]?.focus();
  };

  const item = (label: string, onClick: () => void, className?: string) => (
    <button type="button" role="menuitem" tabIndex={-1} className={className} onClick={onClick}>
      {label}
    </button>
  );

  return (
    <div
      ref={ref}
      className={`message-menu ${placeAbove ? 'above' : 'below'} ${message.direction}`}
      onKeyDown={onKeyDown}
      onBlur={(e) => {
        if (!ref.current?.contains(e.relatedTarget)) handlers.onClose(false);
      }}
    >
      {other ? (
        <form
          role="dialog"
          aria-label="React with any emoji"
          className="other-emoji"
          onSubmit={(e) => {
            e.preventDefault();
            const value = emoji.trim();
            if (isSingleEmoji(value)) handlers.onReact(value, value === mine);
          }}
        >
          <label htmlFor={inputId}>Any emoji</label>
          <input
            id={inputId}
            value={emoji}
            maxLength={32}
            autoComplete="off"
            onChange={(e) => setEmoji(e.target.value)}
          />
          <button type="submit" className="primary" disabled={!isSingleEmoji(emoji.trim())}>
            React
          </button>
          <button type="button" onClick={() => handlers.onClose(true)}>
            Cancel
          </button>
        </form>
      ) : (
        <div role="menu" aria-label="Message actions">
          {allowed.react ? (
            <div role="group" aria-label="React" className="menu-reactions">
              {QUICK_REACTIONS.map((e) => (
                <button
                  key={e}
                  type="button"
                  role="menuitem"
                  tabIndex={-1}
                  className={e === mine ? 'mine' : undefined}
                  aria-label={e === mine ? `Remove your reaction ${e}` : `React with ${e}`}
                  onClick={() => handlers.onReact(e, e === mine)}
                >
                  {e}
                </button>
              ))}
              {item('Other emoji…', () => setOther(true))}
            </div>
          ) : null}
          {allowed.resend ? item('Send again', handlers.onResend) : null}
          {allowed.reply ? item('Reply', handlers.onReply) : null}
          {allowed.edit ? item('Edit', handlers.onEdit) : null}
          {offersDetails(message, conversation) ? item('Details', handlers.onDetails) : null}
          {item('Delete…', handlers.onDelete, 'danger-text')}
        </div>
      )}
    </div>
  );
}

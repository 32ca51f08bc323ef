import { useId, useRef, useState, type KeyboardEvent } from 'react';
import type { ApiError, Conversation, Message } from '../../../src/api/contract.js';
import { ErrorText } from '../ErrorText.js';
import { deleteForEveryone, deleteForMe } from './actions.js';
import { allowedActions } from './message-rules.js';

/**
 * "Delete message?": for me (this computer only) or — our own sent message — for everyone (their Signal
 * deletes it too; the core refuses after Signal's time limit and says so). Modal; Escape cancels.
 */
export function DeleteDialog({
  message,
  conversation,
  onClose,
}: {
  message: Message;
  conversation: Conversation;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const ref = useRef<HTMLDivElement>(null);
  const ids = { title: useId(), body: useId() };
  const forEveryone = allowedActions(message, conversation).deleteForEveryone;

  const run = async (action: typeof deleteForMe) => {
    setBusy(true);
    setError(null);
    const failure = await action(message);
    setBusy(false);
    if (failure) setError(failure);
    else onClose();
  };

  // Focus stays inside the dialog while it is open.
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && !busy) {
      event.preventDefault();
      onClose();
    }
    if (event.key !== 'Tab') return;
    const buttons = Array.from(
      ref.current?.querySelectorAll<HTMLButtonElement>('button:not(:disabled)') ?? [],
    );
    const first = buttons[0];
    const last = buttons[buttons.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last?.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first?.focus();
    }
  };

  return (
    <div className="modal-backdrop">
      <div
        ref={ref}
        className="modal"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={ids.title}
        aria-describedby={ids.body}
        onKeyDown={onKeyDown}
      >
        <h3 id={ids.title}>Delete this message?</h3>
        <p id={ids.body}>
          “Delete for me” erases it from this computer only.
          {forEveryone
            ? ` “Delete for everyone” also asks ${conversation.title}’s Signal to delete it (up to 24 hours after sending); they see that a message was deleted.`
            : ''}
        </p>
        <ErrorText error={error} />
        <div className="row wrap">
          <button type="button" className="danger" disabled={busy} onClick={() => void run(deleteForMe)}>
            Delete for me
          </button>
          {forEveryone ? (
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() => void run(deleteForEveryone)}
            >
              Delete for everyone
            </button>
          ) : null}
          <button type="button" disabled={busy} onClick={onClose} autoFocus>
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}

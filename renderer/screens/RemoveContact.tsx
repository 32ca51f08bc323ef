import { useId, useRef, useState } from 'react';
import type { ApiError, Conversation } from '../../src/api/contract.js';
import { removeContact } from '../bridge.js';
import { ErrorText } from '../components/ErrorText.js';

/**
 * "Remove contact…" in the conversation header: a confirm dialog explaining that the contact stops getting
 * our profile (the profile key is rotated, so the key they hold no longer opens the new profile), with an
 * option to delete the history too.
 */
export function RemoveContactAction({ conversation }: { conversation: Conversation }) {
  const [open, setOpen] = useState(false);
  const [deleteHistory, setDeleteHistory] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const ids = { title: useId(), body: useId(), check: useId() };

  const close = () => {
    setOpen(false);
    setDeleteHistory(false);
    setError(null);
    trigger.current?.focus();
  };

  const confirm = async () => {
    setBusy(true);
    setError(null);
    const result = await removeContact(conversation.id, deleteHistory);
    setBusy(false);
    if (!result.ok) return setError(result.error);
    // With the history deleted this component is gone; otherwise close the dialog.
    setOpen(false);
    setDeleteHistory(false);
  };

  return (
    <>
      <button type="button" ref={trigger} onClick={() => setOpen(true)} aria-expanded={open}>
        Remove contact…
      </button>
      {open ? (
        <div
          className="warning remove-contact"
          role="alertdialog"
          aria-labelledby={ids.title}
          aria-describedby={ids.body}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && !busy) close();
          }}
        >
          <h3 id={ids.title}>Remove {conversation.title} from your contacts?</h3>
          <div id={ids.body}>
            <p>
              {conversation.title} will stop getting your profile: Carapace creates a new profile key and
              uploads your profile under it, so the key they have can no longer open your profile. Your other
              contacts get the new key with your next message to them.
            </p>
            <p className="muted">
              If you write to {conversation.title} again later, they get your new profile key with that
              message.
            </p>
          </div>
          <label htmlFor={ids.check} className="checkbox">
            <input
              id={ids.check}
              type="checkbox"
              checked={deleteHistory}
              onChange={(e) => setDeleteHistory(e.target.checked)}
            />{' '}
            Also delete the conversation and its messages from this computer
          </label>
          <ErrorText error={error} />
          <div className="row">
            <button type="button" className="danger" disabled={busy} onClick={() => void confirm()}>
              {busy ? 'Removing…' : 'Remove contact'}
            </button>
            <button type="button" disabled={busy} onClick={close} autoFocus>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
    </>
  );
}

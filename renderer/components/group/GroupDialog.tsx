import { useEffect, useId, useRef, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import type { ApiError } from '../../../src/api/contract.js';
import { ErrorText } from '../ErrorText.js';
import '../../styles/groups.css';

/**
 * A modal for the group screens: the browser's own `<dialog>` shown with showModal(), so focus stays
 * inside, the rest of the window is inert and Escape closes (onClose) without any code of ours. Portalled
 * to the body: a dialog opened from inside a form (New chat) holds a form of its own.
 */
export function GroupDialog({
  title,
  onClose,
  children,
  role = 'dialog',
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  role?: 'dialog' | 'alertdialog';
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return createPortal(
    <dialog
      ref={ref}
      className="modal group-dialog"
      role={role}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h3 id={titleId}>{title}</h3>
      {children}
    </dialog>,
    document.body,
  );
}

/** A dialog form's last lines: its typed error, then the submit button (busy wording while it runs) and Cancel. */
export function DialogActions({
  error,
  busy,
  disabled,
  label,
  busyLabel,
  onCancel,
}: {
  error: ApiError | null;
  busy: boolean;
  disabled: boolean;
  label: string;
  busyLabel: string;
  onCancel: () => void;
}) {
  return (
    <>
      <ErrorText error={error} />
      <div className="row wrap">
        <button type="submit" className="primary" disabled={busy || disabled}>
          {busy ? busyLabel : label}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </>
  );
}

import { useEffect, useRef, useState, type ReactNode } from 'react';

/** A button that opens a dialog; the focus returns to the button when the dialog closes. */
export function DialogButton({
  label,
  className,
  disabled = false,
  dialog,
}: {
  label: string;
  className?: string;
  disabled?: boolean;
  dialog: (close: () => void) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (wasOpen.current && !open) button.current?.focus();
    wasOpen.current = open;
  }, [open]);
  const close = () => setOpen(false);
  return (
    <>
      <button
        ref={button}
        type="button"
        className={className}
        disabled={disabled}
        onClick={() => setOpen(true)}
      >
        {label}
      </button>
      {open ? dialog(close) : null}
    </>
  );
}

import { useState } from 'react';

/** Copies `text` to the clipboard and says so (or that copying was refused) next to the button. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [said, setSaid] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setSaid('Copied.');
    } catch {
      setSaid('Copying was refused; select the text and copy it instead.');
    }
  };
  return (
    <>
      <button type="button" onClick={() => void copy()} aria-label={label}>
        Copy
      </button>
      <span className="copy-status" role="status">
        {said}
      </span>
    </>
  );
}

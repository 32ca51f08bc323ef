import { useState, type MouseEvent } from 'react';

/**
 * Copies `text` to the clipboard and says so next to the button. The Electron shell grants only clipboard
 * writes, and only to our own page (main/permissions.ts); where the clipboard is refused anyway (another
 * shell, a browser policy), the value shown just before the button is selected instead, for the keyboard
 * shortcut.
 */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [said, setSaid] = useState<string | null>(null);
  const copy = async (event: MouseEvent<HTMLButtonElement>) => {
    const shown = event.currentTarget.previousElementSibling;
    try {
      await navigator.clipboard.writeText(text);
      setSaid('Copied.');
    } catch {
      if (shown) window.getSelection()?.selectAllChildren(shown);
      setSaid('Selected: press Ctrl+C (⌘C on a Mac) to copy.');
    }
  };
  return (
    <>
      <button type="button" onClick={(e) => void copy(e)} aria-label={label}>
        Copy
      </button>
      <span className="copy-status" role="status">
        {said}
      </span>
    </>
  );
}

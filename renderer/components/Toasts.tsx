import { useEffect } from 'react';
import { dismissToast, useStore } from '../store.js';

const TOAST_MS = 6000;

/** In-app notifications. The core already applied notification privacy to title and body. */
export function Toasts() {
  const toasts = useStore((s) => s.toasts);
  useEffect(() => {
    if (toasts.length === 0) return;
    const timers = toasts.map((t) => setTimeout(() => dismissToast(t.id), TOAST_MS));
    return () => timers.forEach(clearTimeout);
  }, [toasts]);
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast ${t.kind}`}>
          <strong>{t.title}</strong>
          {t.body ? <p>{t.body}</p> : null}
          <button type="button" aria-label="Dismiss notification" onClick={() => dismissToast(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

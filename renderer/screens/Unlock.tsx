import { useId, useState, type FormEvent } from 'react';
import type { ApiError } from '../../src/api/contract.js';
import { afterUnlock, getApi } from '../bridge.js';
import { ErrorText } from '../components/ErrorText.js';
import { useStore } from '../store.js';

const REASONS: Record<string, string> = {
  user: 'You locked Carapace.',
  timer: 'Carapace locked itself after a period of inactivity.',
  suspend: 'Carapace locked when the computer went to sleep or the screen locked.',
  shutdown: 'Carapace was closed.',
};

/** The lock screen. Nothing from any conversation is in the store or the DOM while it shows. */
export function Unlock() {
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const lockReason = useStore((s) => s.lockReason);
  // No-passphrase mode (insecure, chosen at first run): the key is in a file, so unlocking asks nothing.
  const noPassphrase = useStore((s) => s.insecureNoPassphrase);
  const id = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if ((!passphrase && !noPassphrase) || busy) return;
    setBusy(true);
    setError(null);
    const result = await getApi().vault.unlock(noPassphrase ? {} : { passphrase });
    setPassphrase('');
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    await afterUnlock();
  };

  return (
    <main className="center-card" aria-labelledby="unlock-title">
      <form className="card" onSubmit={(e) => void submit(e)}>
        <h1 id="unlock-title">Carapace is locked</h1>
        {lockReason ? <p className="muted">{REASONS[lockReason] ?? ''}</p> : null}
        {noPassphrase ? (
          <p className="warning">
            This profile has no passphrase (insecure): anyone who can read this disk can read it. Set one in
            Settings.
          </p>
        ) : (
          <>
            <label htmlFor={id}>Passphrase</label>
            <input
              id={id}
              type="password"
              autoComplete="current-password"
              value={passphrase}
              onChange={(e) => setPassphrase(e.target.value)}
              aria-invalid={error !== null}
              autoFocus
            />
          </>
        )}
        <ErrorText error={error} />
        <button type="submit" className="primary" disabled={(!passphrase && !noPassphrase) || busy}>
          {busy ? 'Unlocking…' : 'Unlock'}
        </button>
      </form>
    </main>
  );
}

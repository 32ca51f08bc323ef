import { useEffect, useId, useState, type FormEvent } from 'react';
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

/** The error without its wait: the live countdown below says that (a fixed "try again in" would go stale). */
function withoutWait(error: ApiError | null): ApiError | null {
  if (!error) return null;
  const { retryAfterMs: _wait, ...rest } = error;
  return rest;
}

/** Seconds left until `until` (a Date.now() time), ticking every 250 ms; 0 once it has passed. */
function useSecondsUntil(until: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until <= Date.now()) return;
    const timer = setInterval(() => {
      const current = Date.now();
      setNow(current);
      if (current >= until) clearInterval(timer);
    }, 250);
    return () => clearInterval(timer);
  }, [until]);
  return Math.max(0, Math.ceil((until - now) / 1000));
}

/** The lock screen. Nothing from any conversation is in the store or the DOM while it shows. */
export function Unlock() {
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  // The vault's throttle: no try is accepted before this time, so the button waits with a live countdown.
  const [retryAt, setRetryAt] = useState(0);
  const waitSeconds = useSecondsUntil(retryAt);
  const lockReason = useStore((s) => s.lockReason);
  // No-passphrase mode (insecure, chosen at first run): the key is in a file, so unlocking asks nothing.
  const noPassphrase = useStore((s) => s.insecureNoPassphrase);
  const id = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if ((!passphrase && !noPassphrase) || busy || waitSeconds > 0) return;
    setBusy(true);
    setError(null);
    const result = await getApi().vault.unlock(noPassphrase ? {} : { passphrase });
    setPassphrase('');
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      if (result.error.retryAfterMs) setRetryAt(Date.now() + result.error.retryAfterMs);
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
        <ErrorText error={withoutWait(error)} />
        {waitSeconds > 0 ? (
          <p id={`${id}-wait`} className="muted" role="timer" data-testid="unlock-countdown">
            You can try again in {waitSeconds} s.
          </p>
        ) : null}
        <button
          type="submit"
          className="primary"
          disabled={(!passphrase && !noPassphrase) || busy || waitSeconds > 0}
          aria-describedby={waitSeconds > 0 ? `${id}-wait` : undefined}
        >
          {busy ? 'Unlocking…' : 'Unlock'}
        </button>
      </form>
    </main>
  );
}

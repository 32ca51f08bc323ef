import { useId, useState, type FormEvent } from 'react';
import type { ApiError } from '../../../src/api/contract.js';
import { getApi } from '../../bridge.js';
import { Busy } from '../../components/Busy.js';
import { ErrorText } from '../../components/ErrorText.js';
import { StrengthMeter } from '../../components/StrengthMeter.js';
import { MIN_PASSPHRASE_BITS } from '../../components/strength.js';
import { usePassphraseBits } from '../../components/usePassphraseBits.js';
import { useStore } from '../../store.js';

/**
 * Change (or, in no-passphrase mode, set) the vault passphrase. The new one is typed twice: a typo in a
 * passphrase nobody can recover would lock its owner out for good.
 */
export function PassphraseSection() {
  // All three live only in this component's state until sent.
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // In no-passphrase mode there is no current passphrase: setting one leaves the mode.
  const noPassphrase = useStore((s) => s.insecureNoPassphrase);
  const ids = { current: useId(), next: useId(), repeat: useId(), mismatch: useId() };
  const bits = usePassphraseBits(next);
  const mismatch = repeat.length > 0 && repeat !== next;
  const ready =
    !busy &&
    (noPassphrase || current.length > 0) &&
    bits !== null &&
    bits >= MIN_PASSPHRASE_BITS &&
    repeat === next;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!ready) return;
    setBusy(true);
    setError(null);
    setDone(null);
    const result = await getApi().vault.changePassphrase(noPassphrase ? { next } : { current, next });
    setBusy(false);
    setCurrent('');
    setNext('');
    setRepeat('');
    if (!result.ok) return setError(result.error);
    useStore.setState({ insecureNoPassphrase: false });
    setDone(noPassphrase ? 'Passphrase set.' : 'Passphrase changed.');
  };

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} aria-labelledby="passphrase-title">
      <h3 id="passphrase-title">Passphrase</h3>
      {noPassphrase ? (
        <p className="warning">
          This profile has no passphrase (insecure): its key is in a file next to the data. Set a passphrase
          to encrypt it under a key only you know.
        </p>
      ) : (
        <>
          <label htmlFor={ids.current}>Current passphrase</label>
          <input
            id={ids.current}
            type="password"
            autoComplete="current-password"
            value={current}
            disabled={busy}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </>
      )}
      <label htmlFor={ids.next}>New passphrase</label>
      <input
        id={ids.next}
        type="password"
        autoComplete="new-password"
        value={next}
        disabled={busy}
        onChange={(e) => setNext(e.target.value)}
      />
      {next ? <StrengthMeter bits={bits} id={`${ids.next}-meter`} /> : null}
      <label htmlFor={ids.repeat}>Repeat new passphrase</label>
      <input
        id={ids.repeat}
        type="password"
        autoComplete="new-password"
        value={repeat}
        disabled={busy}
        onChange={(e) => setRepeat(e.target.value)}
        aria-invalid={mismatch}
        aria-describedby={mismatch ? ids.mismatch : undefined}
      />
      {mismatch ? (
        <p className="error" id={ids.mismatch}>
          The new passphrases do not match.
        </p>
      ) : null}
      <ErrorText error={error} />
      <button type="submit" disabled={!ready}>
        {noPassphrase ? 'Set passphrase' : 'Change passphrase'}
      </button>
      {busy ? (
        <Busy text="Re-encrypting your profile under the new passphrase. This takes a few seconds; keep Carapace open." />
      ) : null}
      {done ? (
        <p className="ok" role="status">
          {done}
        </p>
      ) : null}
    </form>
  );
}

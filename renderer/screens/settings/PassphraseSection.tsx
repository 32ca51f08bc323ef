import { useId, useState, type FormEvent } from 'react';
import type { ApiError } from '../../../src/api/contract.js';
import { getApi } from '../../bridge.js';
import { ErrorText } from '../../components/ErrorText.js';
import { StrengthMeter } from '../../components/StrengthMeter.js';
import { MIN_PASSPHRASE_BITS } from '../../components/strength.js';
import { usePassphraseBits } from '../../components/usePassphraseBits.js';
import { useStore } from '../../store.js';

export function PassphraseSection() {
  // Both passphrases live only in this component's state until sent.
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // In no-passphrase mode there is no current passphrase: setting one leaves the mode.
  const noPassphrase = useStore((s) => s.insecureNoPassphrase);
  const ids = { current: useId(), next: useId() };
  const bits = usePassphraseBits(next);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    const result = await getApi().vault.changePassphrase(noPassphrase ? { next } : { current, next });
    setBusy(false);
    setCurrent('');
    setNext('');
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
        onChange={(e) => setNext(e.target.value)}
      />
      {next ? <StrengthMeter bits={bits} id={`${ids.next}-meter`} /> : null}
      <ErrorText error={error} />
      <button
        type="submit"
        disabled={busy || (!current && !noPassphrase) || bits === null || bits < MIN_PASSPHRASE_BITS}
      >
        {busy ? 'Re-encrypting…' : noPassphrase ? 'Set passphrase' : 'Change passphrase'}
      </button>
      {done ? (
        <p className="ok" role="status">
          {done}
        </p>
      ) : null}
    </form>
  );
}

import { useId, useState, type FormEvent } from 'react';
import type { ApiError } from '../../src/api/contract.js';
import { afterUnlock, getApi } from '../bridge.js';
import { ErrorText } from '../components/ErrorText.js';
import { StrengthMeter } from '../components/StrengthMeter.js';
import { MIN_PASSPHRASE_BITS } from '../components/strength.js';
import { usePassphraseBits } from '../components/usePassphraseBits.js';
import { startGuide } from '../guide.js';
import { useStore } from '../store.js';

/**
 * The explicit, insecure alternative: no passphrase, the database key in a file next to the data. Behind a
 * disclosure and a confirmation, never the default; the hardening report keeps flagging it.
 */
function NoPassphraseOption() {
  const [understood, setUnderstood] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const ids = { confirm: useId(), explain: useId() };

  const create = async () => {
    if (!understood || busy) return;
    setBusy(true);
    setError(null);
    const result = await getApi().vault.create({ insecureNoPassphrase: true });
    setBusy(false);
    if (!result.ok) return setError(result.error);
    useStore.setState({ insecureNoPassphrase: true });
    startGuide();
    await afterUnlock();
  };

  return (
    <details className="stack">
      <summary>Insecure: use no passphrase</summary>
      <p id={ids.explain} className="warning">
        Without a passphrase the key that encrypts your data is stored in a file next to it. Anyone who can
        read this computer&apos;s disk — another user, malware, a thief, a backup — can read all your
        messages. Use this only on a computer whose disk is already encrypted and used by you alone. You can
        set a passphrase later in Settings.
      </p>
      <label htmlFor={ids.confirm} className="inline">
        <input
          id={ids.confirm}
          type="checkbox"
          checked={understood}
          onChange={(e) => setUnderstood(e.target.checked)}
          aria-describedby={ids.explain}
        />
        I understand anyone with access to this disk can read my messages
      </label>
      <ErrorText error={error} />
      <button type="button" disabled={!understood || busy} onClick={() => void create()}>
        {busy ? 'Creating profile…' : 'Create profile without a passphrase (insecure)'}
      </button>
    </details>
  );
}

/** First run: choose the passphrase that encrypts the whole profile. */
export function FirstRun() {
  // The passphrase lives only here, in local state, until it is sent; never in the store.
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const ids = { pass: useId(), confirm: useId(), meter: useId(), hint: useId() };
  const bits = usePassphraseBits(passphrase);
  const strongEnough = bits !== null && bits >= MIN_PASSPHRASE_BITS;
  const mismatch = confirm.length > 0 && confirm !== passphrase;
  const canSubmit = strongEnough && confirm === passphrase && !busy;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!canSubmit) return;
    setBusy(true);
    setError(null);
    const result = await getApi().vault.create({ passphrase });
    setPassphrase('');
    setConfirm('');
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    startGuide();
    await afterUnlock();
  };

  return (
    <main className="center-card" aria-labelledby="first-run-title">
      <form className="card" onSubmit={(e) => void submit(e)}>
        <h1 id="first-run-title">Welcome to Carapace</h1>
        <p id={ids.hint} className="muted">
          Choose a passphrase. It encrypts everything Carapace stores on this computer. There is no way to
          recover it: write it down somewhere safe. A few random words make a strong, memorable passphrase.
        </p>
        <label htmlFor={ids.pass}>Passphrase</label>
        <input
          id={ids.pass}
          type="password"
          autoComplete="new-password"
          value={passphrase}
          onChange={(e) => setPassphrase(e.target.value)}
          aria-describedby={`${ids.hint} ${ids.meter}`}
          autoFocus
        />
        <StrengthMeter bits={bits} id={ids.meter} />
        <label htmlFor={ids.confirm}>Repeat passphrase</label>
        <input
          id={ids.confirm}
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          aria-invalid={mismatch}
        />
        {mismatch ? <p className="error">The passphrases do not match.</p> : null}
        {passphrase && bits !== null && !strongEnough ? (
          <p className="hint">Make it longer or add words until the meter reaches “fair”.</p>
        ) : null}
        <ErrorText error={error} />
        <button type="submit" className="primary" disabled={!canSubmit}>
          {busy ? 'Creating encrypted profile…' : 'Create encrypted profile'}
        </button>
        <NoPassphraseOption />
      </form>
    </main>
  );
}

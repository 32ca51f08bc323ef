import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import type { ApiError } from '../../../src/api/contract.js';
import { ERASE_CONFIRMATION, type VaultStatusDetail } from '../../../src/api/contract/models/vault-extras.js';
import { getApi } from '../../bridge.js';
import { ErrorText } from '../../components/ErrorText.js';
import { StrengthMeter } from '../../components/StrengthMeter.js';
import { MIN_PASSPHRASE_BITS } from '../../components/strength.js';
import { usePassphraseBits } from '../../components/usePassphraseBits.js';
import { resetForLock } from '../../store.js';

/**
 * Issue 18: the duress passphrase, what a passphrase guess costs (and recalibration), the CLI panic-wipe
 * opt-in, and "Erase everything now". Secrets live only in this component's state until sent.
 */
export function DangerZoneSection() {
  const [status, setStatus] = useState<VaultStatusDetail | null>(null);
  const refresh = useCallback(async () => {
    const result = await getApi().vault.status();
    if (result.ok) setStatus(result.value);
  }, []);
  useEffect(() => {
    let live = true;
    void getApi()
      .vault.status()
      .then((result) => {
        if (live && result.ok) setStatus(result.value);
      });
    return () => {
      live = false;
    };
  }, []);
  if (!status || status.insecureNoPassphrase) return null;
  return (
    <section className="stack danger-zone" aria-labelledby="danger-title">
      <h3 id="danger-title">Danger zone</h3>
      <DuressForm set={status.duressPassphraseSet === true} onChange={refresh} />
      <KdfCost status={status} onChange={refresh} />
      <label>
        <input
          type="checkbox"
          checked={status.panicWithoutPassphrase === true}
          onChange={(e) => {
            void getApi().vault.setPanicWithoutPassphrase({ enabled: e.target.checked }).then(refresh);
          }}
        />{' '}
        Let <code>npm run panic</code> erase this profile without the passphrase (anyone who can run it on
        this computer can then erase, as they could delete the files)
      </label>
      <EraseForm />
    </section>
  );
}

function DuressForm({ set, onChange }: { set: boolean; onChange: () => Promise<void> }) {
  const [current, setCurrent] = useState('');
  const [duress, setDuress] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { current: useId(), duress: useId() };
  const bits = usePassphraseBits(duress);

  const run = async (clear: boolean) => {
    setBusy(true);
    setError(null);
    setDone(null);
    const api = getApi().vault;
    const result = clear
      ? await api.clearDuressPassphrase({ current })
      : await api.setDuressPassphrase({ current, duress });
    setBusy(false);
    setCurrent('');
    setDuress('');
    if (!result.ok) return setError(result.error);
    setDone(clear ? 'Duress passphrase removed.' : 'Duress passphrase set.');
    await onChange();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(false);
  };

  return (
    <form className="stack" onSubmit={submit} aria-labelledby="duress-title">
      <h4 id="duress-title">Duress passphrase</h4>
      <p className="muted">
        Entered at the unlock screen instead of your passphrase, it erases this profile for good and opens a
        new, empty one under it — it looks like a normal unlock. {set ? 'One is set.' : 'None is set.'} It
        cannot help against a copy of the disk taken before, data an SSD keeps after deletion, or someone who
        watches your screen.
      </p>
      <label htmlFor={ids.current}>Your passphrase, to confirm it is you</label>
      <input
        id={ids.current}
        type="password"
        autoComplete="current-password"
        value={current}
        onChange={(e) => setCurrent(e.target.value)}
      />
      <label htmlFor={ids.duress}>Duress passphrase (different from your passphrase)</label>
      <input
        id={ids.duress}
        type="password"
        autoComplete="new-password"
        value={duress}
        onChange={(e) => setDuress(e.target.value)}
      />
      {duress ? <StrengthMeter bits={bits} id={`${ids.duress}-meter`} /> : null}
      <ErrorText error={error} />
      <div className="row">
        <button type="submit" disabled={busy || !current || bits === null || bits < MIN_PASSPHRASE_BITS}>
          {set ? 'Replace duress passphrase' : 'Set duress passphrase'}
        </button>
        {set ? (
          <button type="button" disabled={busy || !current} onClick={() => void run(true)}>
            Remove duress passphrase
          </button>
        ) : null}
      </div>
      {done ? (
        <p className="ok" role="status">
          {done}
        </p>
      ) : null}
    </form>
  );
}

function KdfCost({ status, onChange }: { status: VaultStatusDetail; onChange: () => Promise<void> }) {
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  if (!status.kdf) return null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const result = await getApi().vault.recalibrateKdf({ passphrase });
    setBusy(false);
    setPassphrase('');
    if (!result.ok) return setError(result.error);
    setDone(
      result.value.duressCleared
        ? 'Recalibrated. The duress passphrase was removed (it belonged to the old setting): set it again.'
        : 'Recalibrated.',
    );
    await onChange();
  };

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`}>Passphrase guessing cost</h4>
      <p>
        A guess costs an attacker about {status.kdf.guessCpuMs} ms per core; unlocking takes about{' '}
        {status.kdf.unlockMs} ms here.
      </p>
      {status.kdf.recalibrationOffered ? (
        <>
          <p className="muted">
            This computer is much faster than the setting was made for: recalibrating makes every guess cost
            more (it re-encrypts the vault).
          </p>
          <label htmlFor={id}>Your passphrase, to recalibrate</label>
          <input
            id={id}
            type="password"
            autoComplete="current-password"
            value={passphrase}
            onChange={(e) => setPassphrase(e.target.value)}
          />
          <ErrorText error={error} />
          <button type="submit" disabled={busy || !passphrase}>
            {busy ? 'Recalibrating…' : 'Recalibrate'}
          </button>
        </>
      ) : null}
      {done ? (
        <p className="ok" role="status">
          {done}
        </p>
      ) : null}
    </form>
  );
}

function EraseForm() {
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (typed !== ERASE_CONFIRMATION) return;
    setBusy(true);
    const result = await getApi().vault.erase({ confirmation: ERASE_CONFIRMATION });
    setBusy(false);
    if (!result.ok) return setError(result.error);
    resetForLock('uninitialized', null);
  };

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`}>Erase everything now</h4>
      <p className="warning">
        Destroys this profile&apos;s key and data at once: no passphrase will open it again. Messages stay on
        your contacts&apos; devices, and the account stays registered.
      </p>
      <label htmlFor={id}>Type {ERASE_CONFIRMATION} to confirm</label>
      <input id={id} autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} />
      <ErrorText error={error} />
      <button type="submit" className="danger" disabled={busy || typed !== ERASE_CONFIRMATION}>
        {busy ? 'Erasing…' : 'Erase everything now'}
      </button>
    </form>
  );
}

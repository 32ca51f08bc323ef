import { useEffect, useId, useState, type FormEvent } from 'react';
import type { ApiError, PinCheck } from '../../../src/api/contract.js';
import { getApi, refreshAccount, refreshPinReminder } from '../../bridge.js';
import { ErrorText } from '../../components/ErrorText.js';
import { useStore } from '../../store.js';

/** Shown instead of the PIN form when this build has no safe key backup (app.info capabilities). */
function PinUnavailable() {
  return (
    <section className="stack" aria-labelledby="pin-title">
      <h3 id="pin-title">Signal PIN and registration lock</h3>
      <p className="muted">
        PIN backup is not available in this build. Signal keeps PIN backups in an attested secure enclave
        (SVR2), which Carapace does not speak yet; rather than send anything derived from your PIN to
        Signal&apos;s chat server, it offers no PIN backup and no registration lock here, and it cannot
        register a number whose registration lock (set from another Signal app) is still on.
      </p>
    </section>
  );
}

export function PinSection() {
  const available = useStore((s) => s.appInfo?.capabilities.pinBackup ?? false);
  return available ? <PinForm /> : <PinUnavailable />;
}

function PinForm() {
  const account = useStore((s) => s.account);
  const lockAvailable = useStore((s) => s.appInfo?.capabilities.registrationLock ?? false);
  const [pin, setPin] = useState('');
  const [lastCheck, setCheck] = useState<PinCheck | null>(null);
  const check = pin ? lastCheck : null;
  const [acceptWeak, setAcceptWeak] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const ids = { pin: useId(), weak: useId(), lock: useId(), check: useId() };

  useEffect(() => {
    if (!pin) return;
    let live = true;
    const timer = setTimeout(() => {
      void getApi()
        .pin.check({ pin })
        .then((result) => {
          if (live && result.ok) setCheck(result.value);
        });
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [pin]);

  const generate = async () => {
    const result = await getApi().pin.generate();
    if (result.ok) setPin(result.value.pin);
    else setError(result.error);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setMessage(null);
    const result = await getApi().pin.set({ pin, acceptWeak });
    if (!result.ok) return setError(result.error);
    setPin('');
    setAcceptWeak(false);
    setMessage('PIN saved.');
    useStore.setState({ account: result.value });
    await refreshPinReminder();
  };

  const setLock = async (enabled: boolean) => {
    setError(null);
    const result = await getApi().registrationLock.set({ enabled });
    if (!result.ok) return setError(result.error);
    useStore.setState({ account: result.value });
    await refreshAccount();
  };

  return (
    <section className="stack" aria-labelledby="pin-title">
      <h3 id="pin-title">Signal PIN and registration lock</h3>
      <p className="muted">
        Your PIN protects your account backup and the registration lock. If Signal&apos;s secure enclave were
        ever broken, a short PIN could be guessed offline: use 20 or more random letters and digits.
        {account?.pinSet ? ' A PIN is set.' : ' No PIN is set yet.'}
      </p>
      <form onSubmit={(e) => void save(e)} className="stack">
        <label htmlFor={ids.pin}>New PIN</label>
        <div className="row">
          <input
            id={ids.pin}
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={pin}
            onChange={(e) => setPin(e.target.value)}
            aria-describedby={ids.check}
          />
          <button type="button" onClick={() => void generate()}>
            Generate strong PIN
          </button>
        </div>
        <div id={ids.check} aria-live="polite">
          {check ? (
            <p className={check.verdict === 'ok' ? 'ok' : 'hint'}>
              {check.verdict === 'ok'
                ? `Strong PIN (about ${Math.round(check.bits)} bits).`
                : check.verdict === 'refused'
                  ? `This PIN is refused: ${check.reasons.join(' ')}`
                  : `Weak PIN (about ${Math.round(check.bits)} bits): ${check.reasons.join(' ')}`}
            </p>
          ) : null}
        </div>
        {check?.verdict === 'weak-needs-confirmation' ? (
          <label htmlFor={ids.weak} className="inline">
            <input
              id={ids.weak}
              type="checkbox"
              checked={acceptWeak}
              onChange={(e) => setAcceptWeak(e.target.checked)}
            />
            I understand a weak PIN can be brute-forced if the enclave is compromised
          </label>
        ) : null}
        <button
          type="submit"
          disabled={
            !pin ||
            check?.verdict === 'refused' ||
            (check?.verdict === 'weak-needs-confirmation' && !acceptWeak)
          }
        >
          Set PIN
        </button>
      </form>
      {lockAvailable ? (
        <label htmlFor={ids.lock} className="inline">
          <input
            id={ids.lock}
            type="checkbox"
            checked={account?.registrationLock ?? false}
            disabled={!account?.pinSet}
            onChange={(e) => void setLock(e.target.checked)}
          />
          Registration lock (re-registering your number needs the PIN)
        </label>
      ) : null}
      <ErrorText error={error} />
      {message ? (
        <p className="ok" role="status">
          {message}
        </p>
      ) : null}
    </section>
  );
}

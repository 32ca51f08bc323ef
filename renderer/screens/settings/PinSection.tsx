import { useEffect, useId, useState, type FormEvent } from 'react';
import type { ApiError, PinCheck } from '../../../src/api/contract.js';
import { getApi, refreshAccount, refreshPinReminder } from '../../bridge.js';
import { Busy } from '../../components/Busy.js';
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

type Stage = 'enter' | 'confirm';

/**
 * Set the Signal PIN in two steps: choose it (typed or generated; hidden by default — screens are shared
 * and projected — with show and copy), then confirm it by typing it again and saying it is written down.
 */
function PinForm() {
  const account = useStore((s) => s.account);
  const lockAvailable = useStore((s) => s.appInfo?.capabilities.registrationLock ?? false);
  const [stage, setStage] = useState<Stage>('enter');
  const [pin, setPin] = useState('');
  const [repeat, setRepeat] = useState('');
  const [shown, setShown] = useState(false);
  const [wroteDown, setWroteDown] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [lastCheck, setCheck] = useState<PinCheck | null>(null);
  const check = pin ? lastCheck : null;
  const [acceptWeak, setAcceptWeak] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const ids = {
    pin: useId(),
    weak: useId(),
    lock: useId(),
    check: useId(),
    repeat: useId(),
    mismatch: useId(),
    wrote: useId(),
  };
  const mismatch = repeat.length > 0 && repeat !== pin;

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

  const choose = (value: string) => {
    setPin(value);
    setCopied(null);
    setMessage(null);
  };

  const generate = async () => {
    const result = await getApi().pin.generate();
    if (result.ok) choose(result.value.pin);
    else setError(result.error);
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(pin);
      setCopied('Copied. Paste it into your password manager, then copy something else over it.');
    } catch {
      setCopied('Copying is not allowed here; use Show PIN and write it down.');
    }
  };

  const reset = () => {
    setStage('enter');
    setPin('');
    setRepeat('');
    setShown(false);
    setWroteDown(false);
    setAcceptWeak(false);
    setCopied(null);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (repeat !== pin || !wroteDown || busy) return;
    setError(null);
    setMessage(null);
    setBusy(true);
    const result = await getApi().pin.set({ pin, acceptWeak });
    setBusy(false);
    if (!result.ok) return setError(result.error);
    reset();
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
      {stage === 'enter' ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setRepeat('');
            setStage('confirm');
          }}
          className="stack"
        >
          <label htmlFor={ids.pin}>New PIN</label>
          <div className="secret-row">
            <input
              id={ids.pin}
              type={shown ? 'text' : 'password'}
              autoComplete="off"
              spellCheck={false}
              value={pin}
              onChange={(e) => choose(e.target.value)}
              aria-describedby={ids.check}
            />
            <button type="button" aria-pressed={shown} onClick={() => setShown(!shown)}>
              Show PIN
            </button>
            <button type="button" disabled={!pin} onClick={() => void copy()}>
              Copy
            </button>
            <button type="button" onClick={() => void generate()}>
              Generate strong PIN
            </button>
          </div>
          {copied ? (
            <p className="hint" role="status">
              {copied}
            </p>
          ) : null}
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
      ) : (
        <form onSubmit={(e) => void save(e)} className="stack" aria-label="Confirm the PIN">
          <p className="warning">
            Write the PIN down now and keep it away from this computer. Signal asks for it when you register
            your number again; nobody, not Signal and not Carapace, can recover it for you.
          </p>
          <label htmlFor={ids.repeat}>Repeat the PIN</label>
          <input
            id={ids.repeat}
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={repeat}
            disabled={busy}
            onChange={(e) => setRepeat(e.target.value)}
            aria-invalid={mismatch}
            aria-describedby={mismatch ? ids.mismatch : undefined}
            autoFocus
          />
          {mismatch ? (
            <p className="error" id={ids.mismatch}>
              The PINs do not match.
            </p>
          ) : null}
          <label htmlFor={ids.wrote} className="inline">
            <input
              id={ids.wrote}
              type="checkbox"
              checked={wroteDown}
              disabled={busy}
              onChange={(e) => setWroteDown(e.target.checked)}
            />
            I have written this PIN down somewhere safe
          </label>
          <div className="row">
            <button type="submit" className="primary" disabled={busy || repeat !== pin || !wroteDown}>
              Save PIN
            </button>
            <button type="button" disabled={busy} onClick={() => setStage('enter')}>
              Back
            </button>
          </div>
          {busy ? (
            <Busy text="Saving the PIN: deriving its key (Argon2) and storing the key backup. This takes a few seconds." />
          ) : null}
        </form>
      )}
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

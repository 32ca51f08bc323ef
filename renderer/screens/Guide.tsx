import { useEffect, useId, useState, type FormEvent } from 'react';
import type { ApiError } from '../../src/api/contract.js';
import { getApi, navigate } from '../bridge.js';
import { Busy } from '../components/Busy.js';
import { ErrorText } from '../components/ErrorText.js';
import { advanceFrom, endGuide, GUIDE_STEPS, useGuide, type GuideStep } from '../guide.js';
import { useStore } from '../store.js';
import { Registration } from './Registration.js';
import { PinSection } from './settings/PinSection.js';

const STEP_LABELS: Record<GuideStep, string> = {
  register: 'Register',
  profile: 'Your name',
  pin: 'Signal PIN',
  report: 'Hardening report',
};

/** "Skip this step" — never a label with "register" in it (the top bar's Register button is the way back). */
function SkipButton({ step }: { step: GuideStep }) {
  return (
    <button type="button" onClick={() => advanceFrom(step)}>
      Skip this step
    </button>
  );
}

function RegisterStep() {
  const networkMode = useStore((s) => s.appInfo?.networkMode);
  if (networkMode === 'offline') {
    return (
      <>
        <p>
          This build has no Signal service configured, so this computer cannot register a number here. You can
          still explore the settings and the hardening report.
        </p>
        <SkipButton step="register" />
      </>
    );
  }
  return (
    <>
      <Registration onRegistered={() => advanceFrom('register')} />
      <SkipButton step="register" />
    </>
  );
}

/** The name contacts see (encrypted with our profile key; the service never reads it). */
function ProfileStep() {
  const [givenName, setGivenName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const id = useId();

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const result = await getApi().profile.set({ givenName: givenName.trim() });
    setBusy(false);
    if (!result.ok) return setError(result.error);
    advanceFrom('profile');
  };

  return (
    <form className="stack" onSubmit={(e) => void save(e)}>
      <p>
        Choose the name your contacts see. It is encrypted with your profile key: the Signal service never
        reads it, and only people you message can.
      </p>
      <label htmlFor={id}>Your profile name</label>
      <input
        id={id}
        type="text"
        autoComplete="given-name"
        value={givenName}
        onChange={(e) => setGivenName(e.target.value)}
      />
      <ErrorText error={error} />
      <div className="row">
        <button type="submit" className="primary" disabled={busy || !givenName.trim()}>
          Save name
        </button>
        <SkipButton step="profile" />
      </div>
      {busy ? <Busy text="Encrypting and uploading your profile…" /> : null}
    </form>
  );
}

function PinStep() {
  const pinSet = useStore((s) => s.account?.pinSet ?? false);
  return (
    <>
      <PinSection />
      <div className="row">
        {pinSet ? (
          <button type="button" className="primary" onClick={() => advanceFrom('pin')}>
            Next
          </button>
        ) : null}
        <SkipButton step="pin" />
      </div>
    </>
  );
}

function ReportStep() {
  return (
    <>
      <p>
        The hardening report checks every protection Carapace offers, says why each matters, and applies the
        recommended settings for you where no input is needed.
      </p>
      <button
        type="button"
        className="primary"
        onClick={() => {
          endGuide();
          navigate({ name: 'hardening' });
        }}
      >
        Open the hardening report
      </button>
    </>
  );
}

/**
 * The guided first run, shown in the empty chat pane until finished or skipped: each step says what it is
 * for; a step already done (registered elsewhere, PIN set) is passed over.
 */
export function Guide() {
  const step = useGuide((s) => s.step);
  const registered = useStore((s) => s.account?.registered ?? false);
  const pinAvailable = useStore((s) => s.appInfo?.capabilities.pinBackup ?? false);

  // Steps that cannot or need not be done here: registered already; a name or a PIN without a service.
  useEffect(() => {
    if (step === 'register' && registered) advanceFrom('register');
    if (step === 'profile' && !registered) advanceFrom('profile');
    if (step === 'pin' && !(registered && pinAvailable)) advanceFrom('pin');
  }, [step, registered, pinAvailable]);

  if (step === null) return null;
  const current = GUIDE_STEPS.indexOf(step);
  return (
    <div className="panel guide" aria-labelledby="guide-title">
      <h2 id="guide-title">Set up Carapace</h2>
      <ol className="steps" aria-label="Setup steps">
        {GUIDE_STEPS.map((s, i) => (
          <li
            key={s}
            className={i < current ? 'done' : undefined}
            aria-current={s === step ? 'step' : undefined}
          >
            {i + 1}. {STEP_LABELS[s]}
          </li>
        ))}
      </ol>
      {step === 'register' ? <RegisterStep /> : null}
      {step === 'profile' ? <ProfileStep /> : null}
      {step === 'pin' ? <PinStep /> : null}
      {step === 'report' ? <ReportStep /> : null}
      <button type="button" className="link-button" onClick={endGuide}>
        Close the guide
      </button>
    </div>
  );
}

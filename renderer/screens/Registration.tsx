import { useId, useRef, useState, type FormEvent } from 'react';
import type { ApiError } from '../../src/api/contract.js';
import { getApi, navigate, refreshAccount } from '../bridge.js';
import { Busy } from '../components/Busy.js';
import { ErrorText } from '../components/ErrorText.js';
import { isInvalidField, useFocusFirstInvalid } from '../components/field-errors.js';
import { useStore } from '../store.js';

type Step =
  | { name: 'phone' }
  | { name: 'captcha'; sessionId: string }
  | { name: 'code'; sessionId: string }
  | { name: 'pin'; sessionId: string };

/** The demo network's mock server takes any captcha token and always sends this code. */
const DEMO_CAPTCHA = 'demo-captcha-token';
const DEMO_CODE = '111111';
/** Signal's captcha page; solving it yields a `signalcaptcha://…` link to paste here. */
const CAPTCHA_URL = 'https://signalcaptchas.org/registration/generate.html';
const CAPTCHA_SCHEME = 'signalcaptcha://';

/** The token Signal wants: a pasted `signalcaptcha://…` link works as well as the bare token. */
function captchaToken(text: string): string {
  const trimmed = text.trim();
  return trimmed.startsWith(CAPTCHA_SCHEME) ? trimmed.slice(CAPTCHA_SCHEME.length) : trimmed;
}

/** What to enter at each step, for a person who has never registered a Signal device. */
function StepHint({ step, demo }: { step: Step['name']; demo: boolean }) {
  if (step === 'captcha') {
    return demo ? (
      <p className="hint" role="note">
        On the demo network any captcha token works; one is filled in for you. Press Continue.
      </p>
    ) : (
      <p className="hint" role="note">
        Signal asks for a captcha to stop automated sign-ups.{' '}
        <a href={CAPTCHA_URL} target="_blank" rel="noopener noreferrer">
          Open the Signal captcha page
        </a>{' '}
        in your browser (it does not go through Carapace&apos;s proxy or Tor), solve it, then copy the link
        behind &quot;Open Signal&quot; (it starts with signalcaptcha://) and paste it here.
      </p>
    );
  }
  if (step === 'code') {
    return demo ? (
      <p className="hint" role="note">
        On the demo network no SMS is sent: the code is always {DEMO_CODE}, filled in for you.
      </p>
    ) : (
      <p className="hint" role="note">
        Signal has sent a 6-digit code by SMS to the number you entered. Enter it here.
      </p>
    );
  }
  if (step === 'pin') {
    return (
      <p className="hint" role="note">
        This number has a registration lock. Enter the Signal PIN you set on your other device: it unlocks the
        number and restores your identity, contacts and settings (never messages). After 10 wrong PINs the
        backup is deleted and only waiting out the lock helps.
      </p>
    );
  }
  return demo ? (
    <p className="hint" role="note">
      On the demo network any number in international format works, e.g. +15551234567; nothing is sent to it.
    </p>
  ) : null;
}

/** What the person waits for at each step (a request to Signal; the PIN step also runs Argon2). */
const WAITING: Record<Step['name'], string> = {
  phone: 'Asking the Signal service to start a registration…',
  captcha: 'Sending the captcha…',
  code: 'Checking the code and creating this device’s keys…',
  pin: 'Checking the PIN and restoring your account (this takes a few seconds)…',
};

/**
 * Register this computer as a standalone Signal device: phone number → captcha → SMS code, and — when
 * the number has a registration lock — the Signal PIN, which also restores the account data.
 * `onRegistered` (the guided first run) replaces the default of opening the chats.
 */
export function Registration({ onRegistered }: { onRegistered?: () => void }) {
  const [step, setStep] = useState<Step>({ name: 'phone' });
  const [value, setValue] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const demo = useStore((st) => st.appInfo?.networkMode === 'demo');
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(error, formRef);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const api = getApi();
    try {
      if (step.name === 'phone') {
        const result = await api.account.startRegistration({ e164: value.trim() });
        if (!result.ok) return setError(result.error);
        const next = result.value.next === 'captcha' ? DEMO_CAPTCHA : DEMO_CODE;
        setValue(demo ? next : '');
        setStep(
          result.value.next === 'captcha'
            ? { name: 'captcha', sessionId: result.value.sessionId }
            : { name: 'code', sessionId: result.value.sessionId },
        );
      } else if (step.name === 'captcha') {
        const result = await api.account.submitCaptcha({
          sessionId: step.sessionId,
          captcha: captchaToken(value),
        });
        if (!result.ok) return setError(result.error);
        setValue(demo ? DEMO_CODE : '');
        setStep({ name: 'code', sessionId: step.sessionId });
      } else {
        const result =
          step.name === 'code'
            ? await api.account.submitCode({ sessionId: step.sessionId, code: value.trim() })
            : await api.account.submitPin({ sessionId: step.sessionId, pin: value });
        if (!result.ok) {
          if (result.error.code === 'REGISTRATION_LOCKED') {
            setValue('');
            setStep({ name: 'pin', sessionId: step.sessionId });
          }
          // A wrong PIN: the field is cleared, the tries left are shown.
          if (result.error.code === 'WRONG_PIN') setValue('');
          return setError(result.error);
        }
        setValue('');
        await refreshAccount();
        if (onRegistered) onRegistered();
        else navigate({ name: 'chats' });
      }
    } finally {
      setBusy(false);
    }
  };

  const labels = {
    phone: ['Phone number', 'tel', '+15551234567'],
    captcha: ['Captcha token', 'text', 'signalcaptcha://…'],
    code: ['Verification code (6 digits)', 'text', '123456'],
    pin: ['Signal PIN', 'password', ''],
  } as const;
  const [label, type, placeholder] = labels[step.name];
  /** The contract field each step's input fills (INVALID_INPUT names it). */
  const field = { phone: 'e164', captcha: 'captcha', code: 'code', pin: 'pin' }[step.name];

  return (
    <div className="panel" aria-labelledby="reg-title">
      <h2 id="reg-title">Register</h2>
      <p className="muted">
        Carapace registers as its own Signal device (recommended: no phone to link, nothing mirrored). Your
        number is used only to register and is never logged.
      </p>
      <form ref={formRef} onSubmit={(e) => void submit(e)} className="stack">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          type={type}
          placeholder={placeholder}
          value={value}
          autoComplete="off"
          aria-invalid={isInvalidField(error, field)}
          onChange={(e) => setValue(e.target.value)}
          autoFocus
        />
        <StepHint step={step.name} demo={demo} />
        <ErrorText error={error} />
        {error?.triesRemaining !== undefined ? (
          <p className="error" data-testid="pin-tries">
            Tries remaining: {error.triesRemaining}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={!value.trim() || busy}>
          {step.name === 'code' ? 'Register' : step.name === 'pin' ? 'Unlock with PIN' : 'Continue'}
        </button>
        {busy ? <Busy text={WAITING[step.name]} /> : null}
      </form>
    </div>
  );
}

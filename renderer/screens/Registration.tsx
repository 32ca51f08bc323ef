import { useId, useState, type FormEvent } from 'react';
import type { ApiError } from '../../src/api/contract.js';
import { getApi, navigate, refreshAccount } from '../bridge.js';
import { ErrorText } from '../components/ErrorText.js';

type Step = { name: 'phone' } | { name: 'captcha'; sessionId: string } | { name: 'code'; sessionId: string };

/** Register this computer as a standalone Signal device: phone number → captcha → SMS code. */
export function Registration() {
  const [step, setStep] = useState<Step>({ name: 'phone' });
  const [value, setValue] = useState('');
  const [pin, setPin] = useState('');
  const [needPin, setNeedPin] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const pinId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const api = getApi();
    try {
      if (step.name === 'phone') {
        const result = await api.account.startRegistration({ e164: value.trim() });
        if (!result.ok) return setError(result.error);
        setValue('');
        setStep(
          result.value.next === 'captcha'
            ? { name: 'captcha', sessionId: result.value.sessionId }
            : { name: 'code', sessionId: result.value.sessionId },
        );
      } else if (step.name === 'captcha') {
        const result = await api.account.submitCaptcha({ sessionId: step.sessionId, captcha: value.trim() });
        if (!result.ok) return setError(result.error);
        setValue('');
        setStep({ name: 'code', sessionId: step.sessionId });
      } else {
        const result = await api.account.submitCode({
          sessionId: step.sessionId,
          code: value.trim(),
          ...(pin ? { pin } : {}),
        });
        if (!result.ok) {
          if (result.error.code === 'REGISTRATION_LOCKED') setNeedPin(true);
          return setError(result.error);
        }
        setPin('');
        await refreshAccount();
        navigate({ name: 'chats' });
      }
    } finally {
      setBusy(false);
    }
  };

  const labels = {
    phone: ['Phone number', 'tel', '+15551234567'],
    captcha: ['Captcha token', 'text', 'signalcaptcha://…'],
    code: ['Verification code (6 digits)', 'text', '123456'],
  } as const;
  const [label, type, placeholder] = labels[step.name];

  return (
    <div className="panel" aria-labelledby="reg-title">
      <h2 id="reg-title">Register</h2>
      <p className="muted">
        Carapace registers as its own Signal device (recommended: no phone to link, nothing mirrored). Your
        number is used only to register and is never logged.
      </p>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          type={type}
          placeholder={placeholder}
          value={value}
          autoComplete="off"
          onChange={(e) => setValue(e.target.value)}
          autoFocus
        />
        {step.name === 'code' && needPin ? (
          <>
            <label htmlFor={pinId}>Signal PIN (registration lock)</label>
            <input id={pinId} type="password" value={pin} onChange={(e) => setPin(e.target.value)} />
          </>
        ) : null}
        <ErrorText error={error} />
        <button type="submit" className="primary" disabled={!value.trim() || busy}>
          {step.name === 'code' ? 'Register' : 'Continue'}
        </button>
      </form>
    </div>
  );
}

import { useId, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { durationLabel, type ApiError } from '../../src/api/contract.js';
import { getApi, navigate, refreshPinReminder } from '../bridge.js';
import { ErrorText } from '../components/ErrorText.js';
import { useStore } from '../store.js';

/**
 * A due PIN reminder: asks for the PIN (checked against the local hash only). A wrong answer brings the
 * next reminder sooner; the PIN lives in this component's state only until it is sent.
 */
export function PinReminderPrompt() {
  const due = useStore(useShallow((s) => s.pinReminder?.due === true));
  const [pin, setPin] = useState('');
  const [outcome, setOutcome] = useState<{ correct: boolean; intervalMs: number } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [hidden, setHidden] = useState(false);
  const ids = { pin: useId(), title: useId() };

  if (hidden || (!due && !outcome)) return null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const result = await getApi().pin.answerReminder({ pin });
    setPin('');
    if (!result.ok) return setError(result.error);
    setOutcome({ correct: result.value.correct, intervalMs: result.value.intervalMs });
    await refreshPinReminder();
  };

  const later = Math.round((outcome?.intervalMs ?? 0) / 1000);
  return (
    <section className="warning pin-reminder" aria-labelledby={ids.title}>
      <h2 id={ids.title}>PIN reminder</h2>
      {outcome ? (
        <>
          <p role="status">
            {outcome.correct
              ? `That is your PIN. Next reminder in ${durationLabel(later)}.`
              : `That is not your PIN. You will be reminded sooner (in ${durationLabel(later)}). If you forgot it, set a new PIN in Settings: without it, registration lock can keep you out of your account.`}
          </p>
          <div className="row">
            {!outcome.correct ? (
              <button type="button" onClick={() => navigate({ name: 'settings' })}>
                Set a new PIN
              </button>
            ) : null}
            <button
              type="button"
              onClick={() => {
                setOutcome(null);
                setHidden(true);
              }}
            >
              Close
            </button>
          </div>
        </>
      ) : (
        <form className="row" onSubmit={(e) => void submit(e)}>
          <p>Enter your Signal PIN so you keep remembering it.</p>
          <label htmlFor={ids.pin}>Your Signal PIN</label>
          <input
            id={ids.pin}
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={pin}
            onChange={(e) => setPin(e.target.value)}
          />
          <button type="submit" className="primary" disabled={!pin}>
            Check PIN
          </button>
          <button type="button" onClick={() => setHidden(true)}>
            Later
          </button>
        </form>
      )}
      <ErrorText error={error} />
    </section>
  );
}

import { useId, useRef, useState, type FormEvent } from 'react';
import type { ApiError, UsernameReservation } from '../../../src/api/contract.js';
import { getApi } from '../../bridge.js';
import { ErrorText } from '../ErrorText.js';
import { useFocusFirstInvalid } from '../field-errors.js';
import { faultIn, keepDetails } from './details.js';

/**
 * Choose a username in two steps, as Signal does: the server holds one for us (reserve: the number part is
 * ours to choose or random), then we make it ours (confirm, with a proof the server checks). libsignal's
 * refusals (too short, bad characters, taken) come back as INVALID_INPUT and mark the field they are about.
 */
export function UsernameForm({ hasUsername }: { hasUsername: boolean }) {
  const [nickname, setNickname] = useState('');
  const [discriminator, setDiscriminator] = useState('');
  const [held, setHeld] = useState<UsernameReservation | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const ids = { nickname: useId(), discriminator: useId(), hint: useId(), error: useId() };
  useFocusFirstInvalid(error, form);

  const reserve = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setHeld(null);
    const result = await getApi().username.reserve({
      nickname,
      ...(discriminator.trim() ? { discriminator: discriminator.trim() } : {}),
    });
    setBusy(false);
    if (result.ok) setHeld(result.value);
    else setError(result.error);
  };

  const confirm = async () => {
    if (!held) return;
    setBusy(true);
    setError(null);
    const failed = keepDetails(await getApi().username.confirm({ username: held.username }));
    setBusy(false);
    if (failed) {
      setError(failed);
      return;
    }
    setHeld(null);
    setNickname('');
    setDiscriminator('');
  };

  const describedBy = `${ids.hint}${error ? ` ${ids.error}` : ''}`;
  return (
    <form
      ref={form}
      className="stack username-form"
      onSubmit={(e) => void reserve(e)}
      aria-labelledby="username-form-title"
    >
      <h4 id="username-form-title">{hasUsername ? 'Change username' : 'Choose a username'}</h4>
      <p className="hint" id={ids.hint}>
        3 to 32 letters, digits or _, not starting with a digit; then a number of at least 2 digits (random
        when left empty). Anyone with your username can start a chat with you without your phone number.
      </p>
      <div className="username-parts">
        <div className="stack">
          <label htmlFor={ids.nickname}>Username</label>
          <input
            id={ids.nickname}
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={nickname}
            aria-describedby={describedBy}
            aria-invalid={faultIn(error, 'nickname', 'nickname') || undefined}
            onChange={(e) => {
              setNickname(e.target.value);
              setHeld(null);
            }}
          />
        </div>
        <span className="username-dot" aria-hidden="true">
          .
        </span>
        <div className="stack">
          <label htmlFor={ids.discriminator}>Number (optional)</label>
          <input
            id={ids.discriminator}
            type="text"
            inputMode="numeric"
            autoComplete="off"
            className="discriminator"
            value={discriminator}
            aria-describedby={describedBy}
            aria-invalid={faultIn(error, 'discriminator', 'nickname') || undefined}
            onChange={(e) => {
              setDiscriminator(e.target.value);
              setHeld(null);
            }}
          />
        </div>
      </div>
      <ErrorText error={error} id={ids.error} />
      {held ? (
        <div className="username-held" role="status">
          <p>
            <strong>{held.username}</strong> is free and held for you for a short while.
          </p>
          <div className="row">
            <button type="button" className="primary" disabled={busy} onClick={() => void confirm()}>
              {busy ? 'Saving…' : `Use ${held.username}`}
            </button>
            <button type="button" disabled={busy} onClick={() => setHeld(null)}>
              Choose another
            </button>
          </div>
        </div>
      ) : (
        <div className="row">
          <button type="submit" disabled={busy || !nickname.trim()}>
            {busy ? 'Checking…' : 'Check availability'}
          </button>
        </div>
      )}
    </form>
  );
}

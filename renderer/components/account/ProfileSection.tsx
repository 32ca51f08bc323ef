import { useId, useRef, useState, type FormEvent } from 'react';
import type { AccountDetails, ApiError } from '../../../src/api/contract.js';
import { getApi } from '../../bridge.js';
import { ErrorText } from '../ErrorText.js';
import { useFocusFirstInvalid } from '../field-errors.js';
import { faultIn, keepDetails } from './details.js';

/** Our profile name (+ about): encrypted with our profile key, readable only by contacts who hold it. */
export function ProfileSection({ profile }: { profile: AccountDetails['profile'] }) {
  const [givenName, setGivenName] = useState(profile.givenName ?? '');
  const [familyName, setFamilyName] = useState(profile.familyName ?? '');
  const [about, setAbout] = useState(profile.about ?? '');
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const ids = { given: useId(), family: useId(), about: useId(), hint: useId() };
  useFocusFirstInvalid(error, form);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    const result = await getApi().profile.set({
      givenName,
      ...(familyName.trim() ? { familyName } : {}),
      ...(about.trim() ? { about } : {}),
    });
    setBusy(false);
    const failed = keepDetails(result);
    if (failed) setError(failed);
    else setSaved(true);
  };

  return (
    <form
      ref={form}
      className="account-section stack"
      onSubmit={(e) => void submit(e)}
      aria-labelledby="account-profile-title"
    >
      <h3 id="account-profile-title">Profile name</h3>
      <p className="hint" id={ids.hint}>
        Encrypted with your profile key: only people you chat with can read it, never the server.
      </p>
      <div className="grid2">
        <div className="stack">
          <label htmlFor={ids.given}>First name</label>
          <input
            id={ids.given}
            type="text"
            autoComplete="off"
            value={givenName}
            aria-describedby={ids.hint}
            aria-invalid={faultIn(error, 'givenName', null) || undefined}
            onChange={(e) => setGivenName(e.target.value)}
          />
        </div>
        <div className="stack">
          <label htmlFor={ids.family}>Last name (optional)</label>
          <input
            id={ids.family}
            type="text"
            autoComplete="off"
            value={familyName}
            aria-invalid={faultIn(error, 'familyName', null) || undefined}
            onChange={(e) => setFamilyName(e.target.value)}
          />
        </div>
      </div>
      <label htmlFor={ids.about}>About (optional)</label>
      <input
        id={ids.about}
        type="text"
        autoComplete="off"
        value={about}
        aria-invalid={faultIn(error, 'about', null) || undefined}
        onChange={(e) => setAbout(e.target.value)}
      />
      <ErrorText error={error} />
      <div className="row">
        <button type="submit" className="primary" disabled={busy || !givenName.trim()}>
          {busy ? 'Saving…' : 'Save profile'}
        </button>
        {saved ? (
          <span className="ok" role="status">
            Profile saved.
          </span>
        ) : null}
      </div>
    </form>
  );
}

import { useState } from 'react';
import type { AccountDetails, ApiError } from '../../../src/api/contract.js';
import { getApi } from '../../bridge.js';
import { ErrorText } from '../ErrorText.js';
import { CopyButton } from './CopyButton.js';
import { loadAccountDetails, keepDetails } from './details.js';
import { QrImage } from './QrImage.js';
import { UsernameForm } from './UsernameForm.js';

/** Our username, its link and QR code (create, reset), and the form to choose or change it. */
export function UsernameSection({ details }: { details: AccountDetails }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmReset, setConfirmReset] = useState(false);

  const run = async (work: () => Promise<ApiError | null>) => {
    setBusy(true);
    setError(null);
    const failed = await work();
    setBusy(false);
    setConfirmReset(false);
    if (failed) setError(failed);
  };
  // The link commands answer only the link: reload the details so the screen shows the one the core keeps.
  const linkCommand = (command: 'create' | 'reset') =>
    run(async () => {
      const result = await getApi().usernameLink[command]();
      return result.ok ? loadAccountDetails() : result.error;
    });

  const { username, usernameLink } = details;
  return (
    <section className="account-section" aria-labelledby="account-username-title">
      <h3 id="account-username-title">Username and link</h3>
      {username === null ? (
        <p className="muted">No username yet: people can reach you only if they know your number.</p>
      ) : (
        <>
          <dl className="account-facts">
            <dt>Username</dt>
            <dd>
              <code className="account-value">{username}</code>
              <CopyButton text={username} label="Copy username" />
            </dd>
            <dt>Link</dt>
            <dd>
              {usernameLink === null ? (
                <button type="button" disabled={busy} onClick={() => void linkCommand('create')}>
                  Create link
                </button>
              ) : (
                <>
                  <code className="account-value account-link">{usernameLink}</code>
                  <CopyButton text={usernameLink} label="Copy username link" />
                </>
              )}
            </dd>
          </dl>
          {usernameLink !== null ? <QrImage text={usernameLink} alt="QR code of your username link" /> : null}
          {confirmReset ? (
            <div className="row" role="group" aria-label="Reset the link">
              <span>The current link and QR code will stop working.</span>
              <button type="button" disabled={busy} onClick={() => void linkCommand('reset')}>
                Reset now
              </button>
              <button type="button" onClick={() => setConfirmReset(false)}>
                Keep it
              </button>
            </div>
          ) : (
            <div className="row">
              {usernameLink !== null ? (
                <button type="button" disabled={busy} onClick={() => setConfirmReset(true)}>
                  Reset link…
                </button>
              ) : null}
              <button
                type="button"
                disabled={busy}
                onClick={() => void run(async () => keepDetails(await getApi().username.delete()))}
              >
                Delete username
              </button>
            </div>
          )}
          <ErrorText error={error} />
        </>
      )}
      <UsernameForm hasUsername={username !== null} />
    </section>
  );
}

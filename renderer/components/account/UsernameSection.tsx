import { useState } from 'react';
import type { AccountDetails, ApiError } from '../../../src/api/contract.js';
import { getApi } from '../../bridge.js';
import { ErrorText } from '../ErrorText.js';
import { CopyButton } from './CopyButton.js';
import { loadAccountDetails, keepDetails } from './details.js';
import { QrImage } from './QrImage.js';
import { UsernameForm } from './UsernameForm.js';

type Confirmable = 'reset' | 'delete';
const CONFIRM = {
  reset: {
    label: 'Reset the link',
    warning: 'The current link and QR code will stop working.',
    action: 'Reset now',
  },
  delete: {
    label: 'Delete the username',
    warning: 'Nobody can find you by it any more, and its link and QR code stop working.',
    action: 'Delete now',
  },
} as const satisfies Record<Confirmable, { label: string; warning: string; action: string }>;

/** Our username, its link and QR code (create, reset, delete), and the form to choose or change it. */
export function UsernameSection({ details }: { details: AccountDetails }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  /** A step that breaks what others hold (the old link, QR code or username) waits for a second click. */
  const [confirming, setConfirming] = useState<Confirmable | null>(null);

  const run = async (work: () => Promise<ApiError | null>) => {
    setBusy(true);
    setError(null);
    const failed = await work();
    setBusy(false);
    setConfirming(null);
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
          {confirming ? (
            <div className="row" role="group" aria-label={CONFIRM[confirming].label}>
              <span>{CONFIRM[confirming].warning}</span>
              <button
                type="button"
                className={confirming === 'delete' ? 'danger' : undefined}
                disabled={busy}
                onClick={() =>
                  void (confirming === 'reset'
                    ? linkCommand('reset')
                    : run(async () => keepDetails(await getApi().username.delete())))
                }
              >
                {CONFIRM[confirming].action}
              </button>
              <button type="button" onClick={() => setConfirming(null)}>
                Cancel
              </button>
            </div>
          ) : (
            <div className="row">
              {usernameLink !== null ? (
                <button type="button" disabled={busy} onClick={() => setConfirming('reset')}>
                  Reset link…
                </button>
              ) : null}
              <button type="button" disabled={busy} onClick={() => setConfirming('delete')}>
                Delete username…
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

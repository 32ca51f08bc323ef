import { useEffect, useState } from 'react';
import type { ApiError } from '../../src/api/contract.js';
import { loadAccountDetails } from '../components/account/details.js';
import { IdentitySection } from '../components/account/IdentitySection.js';
import { PhonePrivacySection } from '../components/account/PhonePrivacySection.js';
import { ProfileSection } from '../components/account/ProfileSection.js';
import { UsernameSection } from '../components/account/UsernameSection.js';
import { ErrorText } from '../components/ErrorText.js';
import { useStore } from '../store.js';
import '../styles/account.css';

/** How people find and know you: number (hidden), Signal ID, username and link, profile name, privacy. */
export function AccountScreen() {
  const details = useStore((s) => s.accountDetails);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    let live = true;
    void loadAccountDetails().then((failed) => {
      if (live) setError(failed);
    });
    return () => {
      live = false;
    };
  }, []);

  return (
    <div className="panel account" aria-labelledby="account-title">
      <h2 id="account-title">Account</h2>
      <ErrorText error={error} />
      {details === null ? (
        error ? null : (
          <p className="muted">Loading…</p>
        )
      ) : (
        <>
          <IdentitySection details={details} />
          {details.registered ? (
            <>
              <UsernameSection details={details} />
              <ProfileSection profile={details.profile} />
              <PhonePrivacySection privacy={details.privacy} />
            </>
          ) : (
            <p className="muted">Register this device to choose a username and a profile name.</p>
          )}
        </>
      )}
    </div>
  );
}

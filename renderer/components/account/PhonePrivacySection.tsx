import { useState } from 'react';
import type { AccountDetails, ApiError, ApiResult, PhoneNumberSharing } from '../../../src/api/contract.js';
import { getApi } from '../../bridge.js';
import { ErrorText } from '../ErrorText.js';
import { keepDetails } from './details.js';

const WHERE_DISCOVERABILITY_APPLIES = {
  server: 'The Signal service applies this now.',
  'next-registration':
    'Stored on this computer and sent to the service the next time this device registers: the service offers no way to change it for a registered account.',
} as const;

/** "Who can see my number" and "Who can find me by number", with where each takes effect. */
export function PhonePrivacySection({ privacy }: { privacy: AccountDetails['privacy'] }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (call: () => Promise<ApiResult<AccountDetails>>) => {
    setBusy(true);
    setError(null);
    setError(keepDetails(await call()));
    setBusy(false);
  };

  return (
    <section className="account-section stack" aria-labelledby="account-privacy-title">
      <h3 id="account-privacy-title">Phone number privacy</h3>
      <fieldset disabled={busy}>
        <legend>Who can see my number</legend>
        {(['everybody', 'nobody'] as const satisfies readonly PhoneNumberSharing[]).map((value) => (
          <label key={value} className="inline">
            <input
              type="radio"
              name="phone-number-sharing"
              checked={privacy.phoneNumberSharing === value}
              onChange={() => void save(() => getApi().privacy.setPhoneNumberSharing({ sharing: value }))}
            />
            {value === 'everybody' ? 'Everybody I chat with' : 'Nobody'}
          </label>
        ))}
        <p className="hint">Part of your encrypted profile: it reaches contacts who hold your profile key.</p>
      </fieldset>
      <fieldset disabled={busy}>
        <legend>Who can find me by number</legend>
        {([true, false] as const).map((value) => (
          <label key={String(value)} className="inline">
            <input
              type="radio"
              name="phone-number-discoverable"
              checked={privacy.discoverableByPhoneNumber === value}
              onChange={() => void save(() => getApi().privacy.setDiscoverable({ discoverable: value }))}
            />
            {value ? 'Everybody who has my number' : 'Nobody (only by username or link)'}
          </label>
        ))}
        <p className="hint">{WHERE_DISCOVERABILITY_APPLIES[privacy.discoverabilityApplies]}</p>
      </fieldset>
      <ErrorText error={error} />
    </section>
  );
}

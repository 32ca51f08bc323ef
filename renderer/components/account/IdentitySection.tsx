import { useState } from 'react';
import type { AccountDetails } from '../../../src/api/contract.js';
import { CopyButton } from './CopyButton.js';

/**
 * Our number (hidden until revealed: the state lives in this component, so a lock — which unmounts the
 * screen — hides it again), our Signal ID with copy, and this device.
 */
export function IdentitySection({ details }: { details: AccountDetails }) {
  const [revealed, setRevealed] = useState(false);
  return (
    <section className="account-section" aria-labelledby="account-identity-title">
      <h3 id="account-identity-title">This account</h3>
      <dl className="account-facts">
        <dt>Phone number</dt>
        <dd>
          {details.e164 === null ? (
            <span className="muted">Not registered</span>
          ) : revealed ? (
            <>
              <span className="account-value">{details.e164}</span>
              <button type="button" onClick={() => setRevealed(false)}>
                Hide number
              </button>
            </>
          ) : (
            <>
              <span className="account-value muted" aria-label="Phone number hidden">
                ••• ••• ••••
              </span>
              <button type="button" onClick={() => setRevealed(true)}>
                Show number
              </button>
            </>
          )}
        </dd>
        <dt>Signal ID (ACI)</dt>
        <dd>
          {details.aci === null ? (
            <span className="muted">Not registered</span>
          ) : (
            <>
              <code className="account-value">{details.aci}</code>
              <CopyButton text={details.aci} label="Copy Signal ID" />
            </>
          )}
        </dd>
        <dt>Device</dt>
        <dd>
          {details.deviceId === null
            ? 'Not registered'
            : details.deviceId === 1
              ? 'Primary device (1)'
              : `Linked device ${details.deviceId}`}
        </dd>
      </dl>
    </section>
  );
}

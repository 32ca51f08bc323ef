import { useState } from 'react';
import type { ApiError } from '../../../src/api/contract.js';
import { getApi } from '../../bridge.js';
import { ErrorText } from '../../components/ErrorText.js';

type Scenario =
  'message-request' | 'safety-number-change' | 'view-once-photo' | 'disappearing-chat' | 'group-invitation';

/** Each scenario's button, and the one line a trainer says to the room while it arrives. */
const SCENARIOS: readonly { id: Scenario; label: string; show: string }[] = [
  {
    id: 'message-request',
    label: 'A stranger writes',
    show: 'Someone you never added writes: it waits as a request (or is dropped) until you accept.',
  },
  {
    id: 'safety-number-change',
    label: 'Safety number changes',
    show: 'A contact reinstalls: the chat says the safety number changed — compare it before you trust it.',
  },
  {
    id: 'view-once-photo',
    label: 'A view-once photo arrives',
    show: 'The photo opens once, then only "viewed" remains — but a camera pointed at the screen still works.',
  },
  {
    id: 'disappearing-chat',
    label: 'A contact turns on disappearing messages',
    show: 'A contact sets a 5-minute timer and writes: each message goes 5 minutes after it is read.',
  },
  {
    id: 'group-invitation',
    label: 'You are invited to a group',
    show: 'Two people you never added invite you to their group: it waits as a request. Accept it, then watch them write and react — each message still end-to-end encrypted for every member.',
  },
];

/** Simulated contacts on the demo network act on this profile, one scenario per button. */
export function Scenarios() {
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const trigger = async (scenario: (typeof SCENARIOS)[number]) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const result = await getApi().workshop.trigger({ scenario: scenario.id });
      if (!result.ok) return setError(result.error);
      setDone(`${result.value.contact}: ${scenario.label.toLowerCase()} — open Chats to show it.`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="stack" aria-labelledby="workshop-scenarios">
      <h3 id="workshop-scenarios">Scenarios</h3>
      <p>Simulated contacts act on this profile. Needs a registered profile.</p>
      <ErrorText error={error} />
      <ul className="stack workshop-scenarios">
        {SCENARIOS.map((scenario) => (
          <li key={scenario.id} className="stack">
            <button type="button" disabled={busy} onClick={() => void trigger(scenario)}>
              {scenario.label}
            </button>
            <span className="muted">Show the room: {scenario.show}</span>
          </li>
        ))}
      </ul>
      {done ? (
        <p className="ok workshop-done" role="status">
          {done}
        </p>
      ) : null}
    </section>
  );
}

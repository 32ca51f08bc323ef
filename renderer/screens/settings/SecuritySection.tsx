import { useId } from 'react';
import {
  AUTO_LOCK_SECONDS,
  durationLabel,
  type SettingsView,
  type SettingsUpdate,
} from '../../../src/api/contract.js';

/** Auto-lock, lock on suspend, screen security. */
export function SecuritySection({
  settings,
  update,
  screenSupported,
}: {
  settings: SettingsView;
  update: (patch: SettingsUpdate) => Promise<boolean>;
  screenSupported: boolean;
}) {
  const ids = { autolock: useId(), suspend: useId(), screen: useId() };
  return (
    <section className="stack" aria-labelledby="security-title">
      <h3 id="security-title">Screen lock and security</h3>
      <label htmlFor={ids.autolock}>Lock automatically after inactivity</label>
      <select
        id={ids.autolock}
        value={settings.autoLockSeconds}
        onChange={(e) =>
          void update({ autoLockSeconds: Number(e.target.value) as (typeof AUTO_LOCK_SECONDS)[number] })
        }
      >
        {AUTO_LOCK_SECONDS.map((s) => (
          <option key={s} value={s}>
            {s === 0 ? 'never' : durationLabel(s)}
          </option>
        ))}
      </select>
      <label htmlFor={ids.suspend} className="inline">
        <input
          id={ids.suspend}
          type="checkbox"
          checked={settings.lockOnSuspend}
          onChange={(e) => void update({ lockOnSuspend: e.target.checked })}
        />
        Lock when the computer sleeps or the screen locks
      </label>
      <label htmlFor={ids.screen} className="inline">
        <input
          id={ids.screen}
          type="checkbox"
          // Where it cannot work it is off and cannot be turned on: a ticked box would promise protection.
          checked={screenSupported && settings.screenSecurity}
          disabled={!screenSupported}
          aria-describedby={screenSupported ? undefined : `${ids.screen}-note`}
          onChange={(e) => void update({ screenSecurity: e.target.checked })}
        />
        Screen security (block screenshots and screen recording of Carapace)
      </label>
      {!screenSupported ? (
        <p className="hint" id={`${ids.screen}-note`} data-testid="screen-security-note">
          Not available here: screen security is not available on Linux (or in the web harness), the system
          offers no content protection. It works on macOS and Windows.
        </p>
      ) : null}
    </section>
  );
}

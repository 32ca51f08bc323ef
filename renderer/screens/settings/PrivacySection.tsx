import { useId } from 'react';
import {
  DISAPPEARING_TIMER_SECONDS,
  durationLabel,
  type SettingsView,
  type SettingsUpdate,
} from '../../../src/api/contract.js';

const PRIVACY_LABELS = {
  'name-and-message': 'Name and message',
  'name-only': 'Name only',
  'no-name-or-message': 'No name or message',
} as const;
const UNKNOWN_LABELS = {
  off: 'Allow messages from anyone',
  'hold-as-request': 'Hold as message requests (no receipts until you accept)',
  drop: 'Drop messages from unknown senders',
} as const;

/** Disappearing-message default, link previews, read receipts, unknown senders, notification content. */
export function PrivacySection({
  settings,
  update,
}: {
  settings: SettingsView;
  update: (patch: SettingsUpdate) => Promise<boolean>;
}) {
  const ids = {
    disappearing: useId(),
    previews: useId(),
    readReceipts: useId(),
    readReceiptsHint: useId(),
    privacy: useId(),
    unknown: useId(),
  };
  return (
    <section className="stack" aria-labelledby="privacy-title">
      <h3 id="privacy-title">Privacy</h3>
      <label htmlFor={ids.disappearing}>Disappearing messages (default for new chats)</label>
      <select
        id={ids.disappearing}
        value={settings.disappearingDefaultSeconds}
        onChange={(e) =>
          void update({
            disappearingDefaultSeconds: Number(e.target.value) as (typeof DISAPPEARING_TIMER_SECONDS)[number],
          })
        }
      >
        {DISAPPEARING_TIMER_SECONDS.map((s) => (
          <option key={s} value={s}>
            {durationLabel(s)}
          </option>
        ))}
      </select>
      <p className="muted">Each chat can override this in its header.</p>

      <label htmlFor={ids.previews} className="inline">
        <input
          id={ids.previews}
          type="checkbox"
          checked={settings.linkPreviews}
          onChange={(e) => void update({ linkPreviews: e.target.checked })}
        />
        Generate link previews (fetches the page: the site learns your IP unless you use a proxy)
      </label>

      <label htmlFor={ids.readReceipts} className="inline">
        <input
          id={ids.readReceipts}
          type="checkbox"
          checked={settings.readReceipts}
          aria-describedby={ids.readReceiptsHint}
          onChange={(e) => void update({ readReceipts: e.target.checked })}
        />
        Send read receipts
      </label>
      <p id={ids.readReceiptsHint} className="muted">
        Off: contacts do not see when you read their messages, and you do not see when they read yours
        (delivery receipts still go both ways).
      </p>

      <label htmlFor={ids.unknown}>Messages from unknown senders</label>
      <select
        id={ids.unknown}
        value={settings.blockUnknownSenders}
        onChange={(e) => void update({ blockUnknownSenders: e.target.value as keyof typeof UNKNOWN_LABELS })}
      >
        {Object.entries(UNKNOWN_LABELS).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>

      <label htmlFor={ids.privacy}>Notification content</label>
      <select
        id={ids.privacy}
        value={settings.notificationPrivacy}
        onChange={(e) => void update({ notificationPrivacy: e.target.value as keyof typeof PRIVACY_LABELS })}
      >
        {Object.entries(PRIVACY_LABELS).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </section>
  );
}

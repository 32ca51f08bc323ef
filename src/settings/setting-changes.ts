/**
 * What a settings change did, in words a room of people can follow: "Apply recommended" and the workshop
 * presets list exactly these, and undo restores exactly the keys listed. Platform-free.
 */
import { durationLabel, type Settings, type SettingsPatch } from './schema.js';

/** The settings a change may touch here (the proxy needs the user and is never switched for them). */
type ChangeableKey = Exclude<keyof Settings, 'proxy'>;

const LABELS: Readonly<Record<ChangeableKey, string>> = {
  disappearingDefaultSeconds: 'Disappearing messages (default for new chats)',
  autoLockSeconds: 'Lock automatically after inactivity',
  lockOnSuspend: 'Lock when the computer sleeps',
  linkPreviews: 'Link previews',
  notificationPrivacy: 'Notification content',
  screenSecurity: 'Screen security',
  blockUnknownSenders: 'Messages from unknown senders',
  readReceipts: 'Read receipts',
};

const VALUE_WORDS: Readonly<Record<string, string>> = {
  'name-and-message': 'name and message',
  'name-only': 'name only',
  'no-name-or-message': 'no name or message',
  off: 'allowed from anyone',
  'hold-as-request': 'held as requests',
  drop: 'dropped',
};

export interface SettingChange {
  readonly key: ChangeableKey;
  readonly label: string;
  readonly from: string;
  readonly to: string;
}

function say(key: ChangeableKey, value: Settings[ChangeableKey]): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'number') return value === 0 ? 'off' : durationLabel(value);
  return VALUE_WORDS[value] ?? value;
}

/** Every changeable setting whose value differs between `before` and `after`, in a fixed order. */
export function describeChanges(before: Readonly<Settings>, after: Readonly<Settings>): SettingChange[] {
  return (Object.keys(LABELS) as ChangeableKey[])
    .filter((key) => before[key] !== after[key])
    .map((key) => ({ key, label: LABELS[key], from: say(key, before[key]), to: say(key, after[key]) }));
}

/** The patch that puts back the `before` values of exactly the settings `changes` lists. */
export function revertPatch(before: Readonly<Settings>, changes: readonly SettingChange[]): SettingsPatch {
  const patch: Record<string, unknown> = {};
  for (const change of changes) patch[change.key] = before[change.key];
  return patch;
}

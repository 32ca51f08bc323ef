/**
 * The hardening report: the current configuration checked against the seed guide's recommendations
 * (000: Signal/Molly hardening). A pure function, platform-free (the renderer may import it), and
 * `applyRecommended` for "apply recommended" — which only changes settings it can set safely on its own.
 * Things that need the user (a PIN, a passphrase, a proxy host or a running Tor, registration lock,
 * which needs the PIN) stay advice.
 */
import { STRONG_PIN_BITS } from '../account/pin-constants.js';
import {
  applySettingsPatch,
  durationLabel,
  RECOMMENDED_DISAPPEARING_SECONDS,
  settingsSchema,
  type Settings,
  type SettingsPatch,
} from './schema.js';

export interface AccountFacts {
  readonly pinSet: boolean;
  /** The strength estimate recorded when the PIN was set (src/account/pin-policy). */
  readonly pinStrengthBits?: number | undefined;
  readonly registrationLock: boolean;
  /** The vault's opt-in "no passphrase" mode (key kept in a file). */
  readonly noPassphraseMode: boolean;
  /** False when this build has no PIN backup (app.info capabilities): the PIN items then say so. */
  readonly pinBackupAvailable?: boolean;
  /** False where the platform has no content protection (Linux, the web harness; app.info). */
  readonly screenSecurityAvailable?: boolean;
  /** CPU ms one passphrase guess costs an attacker on one core (the vault's Argon2id); absent without one. */
  readonly guessCostMs?: number | undefined;
}

/** Below this a guess is cheap enough to want a recalibration (today's floor costs ≈ 0.3–0.5 s here). */
const MIN_GUESS_COST_MS = 500;

/** What the proxy item says for each route in use. */
const PROXY_IN_USE: Readonly<Record<Exclude<Settings['proxy']['mode'], 'none'>, string>> = {
  tor: 'Traffic goes through Tor.',
  socks5: 'Traffic goes through your SOCKS5 proxy.',
  'signal-tls-proxy': 'Traffic goes through your Signal TLS proxy (it hides Signal from your network).',
};

const PIN_BACKUP_UNAVAILABLE =
  'Not available in this build: Signal keeps PIN backups in an attested enclave (SVR2) that Carapace does ' +
  'not speak yet, and it sends nothing derived from a PIN to the chat server instead.';

const SCREEN_SECURITY_UNAVAILABLE =
  'Not available here: this system offers no protection against screenshots and screen recording (it ' +
  'works on macOS and Windows). Keep Carapace out of screen shares yourself.';

/** A PIN item in a build without PIN backup: still a missing protection, but nothing the user can do. */
function unavailable(entry: AuditItem): AuditItem {
  return entry.status === 'ok'
    ? entry
    : { ...entry, status: 'unavailable', advice: PIN_BACKUP_UNAVAILABLE, needsUserAction: false };
}

export type AuditItemId =
  | 'pin-set'
  | 'pin-strength'
  | 'registration-lock'
  | 'disappearing-default'
  | 'link-previews'
  | 'screen-lock'
  | 'notification-privacy'
  | 'proxy'
  | 'screen-security'
  | 'unknown-senders'
  | 'passphrase'
  | 'kdf-cost';

export interface AuditItem {
  readonly id: AuditItemId;
  readonly title: string;
  /** 'unavailable': the protection cannot work on this platform or build — neither ok nor advice. */
  readonly status: 'ok' | 'advice' | 'unavailable';
  /** What to do and why (shown for advice; for ok items, what is in place). */
  readonly advice: string;
  /** Why this protection matters, whatever its status (the report shows it for OK items too). */
  readonly why: string;
  /** The settings change "apply recommended" makes; absent when it needs the user. */
  readonly recommendedPatch?: SettingsPatch;
  /** True when only the user can fix it (PIN, passphrase, proxy host, registration lock). */
  readonly needsUserAction: boolean;
}

/** Why each protection matters, in one sentence a workshop room can follow. */
const WHY: Readonly<Record<AuditItemId, string>> = {
  'pin-set':
    'Without a PIN, your account key has no backup and whoever takes over your phone number can register it.',
  'pin-strength': 'The PIN guards your key backup: a short one falls quickly if the enclave is ever broken.',
  'registration-lock': 'It stops someone who hijacks your number (a SIM swap) from registering it as you.',
  'disappearing-default':
    'A message that no longer exists cannot be read from a lost, seized or backed-up device.',
  'link-previews':
    'Making a preview contacts the linked site: it learns your IP address before you even send the link.',
  'screen-lock': 'A locked Carapace keeps everything encrypted while you step away or the computer sleeps.',
  'notification-privacy':
    'Notifications leave the encrypted vault: the lock screen, screen shares and the system history show them.',
  proxy:
    'Without a proxy or Tor, the Signal servers and your network see your IP address and when you connect.',
  'screen-security': 'Screenshot and screen-recording tools could otherwise capture your conversations.',
  'unknown-senders':
    'Strangers (spam, phishing, harassment) do not learn that you read them, and do not get your profile.',
  passphrase: 'Without a passphrase, anyone who can read the disk can read every message.',
  'kdf-cost':
    'The cost of one guess decides how long a stolen copy of the vault resists passphrase guessing.',
};

/** The longest auto-lock the audit accepts as "screen lock on with a timer". */
const MAX_RECOMMENDED_AUTO_LOCK_SECONDS = 3600;
const RECOMMENDED_AUTO_LOCK_SECONDS = 300;

function item(
  id: AuditItemId,
  title: string,
  ok: boolean,
  okText: string,
  adviceText: string,
  patch?: SettingsPatch,
): AuditItem {
  return {
    id,
    title,
    status: ok ? 'ok' : 'advice',
    advice: ok ? okText : adviceText,
    why: WHY[id],
    ...(ok || !patch ? {} : { recommendedPatch: patch }),
    needsUserAction: !ok && !patch,
  };
}

/** Every audit item, in the order the report shows them. */
export function auditSettings(settings: Settings, facts: AccountFacts): AuditItem[] {
  const bits = facts.pinStrengthBits ?? 0;
  const strongPin = facts.pinSet && bits >= STRONG_PIN_BITS;
  const autoLockOk =
    settings.autoLockSeconds > 0 &&
    settings.autoLockSeconds <= MAX_RECOMMENDED_AUTO_LOCK_SECONDS &&
    settings.lockOnSuspend;
  const autoLockPatch: SettingsPatch = {
    lockOnSuspend: true,
    autoLockSeconds:
      settings.autoLockSeconds > 0 && settings.autoLockSeconds <= MAX_RECOMMENDED_AUTO_LOCK_SECONDS
        ? settings.autoLockSeconds
        : RECOMMENDED_AUTO_LOCK_SECONDS,
  };
  const pinItems = [
    item(
      'pin-set',
      'Signal PIN set',
      facts.pinSet,
      'A PIN protects your key backup and enables registration lock.',
      'Set a Signal PIN: it protects the backup of your account key and is needed for registration lock.',
    ),
    item(
      'pin-strength',
      'PIN is strong',
      strongPin,
      `Your PIN is estimated at ${Math.round(bits)} bits.`,
      facts.pinSet
        ? `Your PIN is estimated at only ${Math.round(bits)} bits. If the server's secure enclave were ever ` +
            `broken, a short PIN could be guessed offline in minutes. Change it to a long random one ` +
            `(use "Generate": 24 characters, about 143 bits).`
        : 'Set a long random PIN (use "Generate": 24 characters, about 143 bits).',
    ),
    item(
      'registration-lock',
      'Registration lock on',
      facts.registrationLock,
      'Nobody can register your number on a new device without your PIN (while you are active).',
      'Turn on registration lock so that someone who takes over your phone number cannot register it ' +
        'without your PIN. It expires after 7 days of inactivity.',
    ),
  ];
  return [
    ...(facts.pinBackupAvailable === false ? pinItems.map(unavailable) : pinItems),
    item(
      'disappearing-default',
      'Disappearing messages by default',
      settings.disappearingDefaultSeconds > 0,
      `New chats disappear after ${durationLabel(settings.disappearingDefaultSeconds)}.`,
      `Set a default timer for new chats (the guide suggests ${durationLabel(RECOMMENDED_DISAPPEARING_SECONDS)}) ` +
        'so old messages do not pile up on your devices.',
      { disappearingDefaultSeconds: RECOMMENDED_DISAPPEARING_SECONDS },
    ),
    item(
      'link-previews',
      'Link previews off',
      !settings.linkPreviews,
      'Links are sent without fetching a preview.',
      'Turn off link previews: making one contacts the linked website from your device.',
      { linkPreviews: false },
    ),
    item(
      'screen-lock',
      'Screen lock with a timer',
      autoLockOk,
      `Carapace locks after ${durationLabel(settings.autoLockSeconds)} of inactivity and when the computer sleeps.`,
      'Lock Carapace automatically (5 minutes is a good default) and whenever the computer sleeps or its ' +
        'screen locks.',
      autoLockPatch,
    ),
    item(
      'notification-privacy',
      'Notifications hide name and message',
      settings.notificationPrivacy === 'no-name-or-message',
      'Notifications show neither sender nor text.',
      'Hide sender and text in notifications: they appear on the lock screen, in screen shares and in the ' +
        "operating system's notification history, outside the encrypted vault.",
      { notificationPrivacy: 'no-name-or-message' },
    ),
    item(
      'proxy',
      'Proxy or Tor',
      settings.proxy.mode !== 'none',
      settings.proxy.mode === 'none' ? '' : PROXY_IN_USE[settings.proxy.mode],
      'Route Carapace through Tor (a local Tor on 127.0.0.1:9050) or a SOCKS5 proxy to hide your IP ' +
        'address from the Signal servers and your network. This needs a running Tor or a proxy address. ' +
        'Where Signal is blocked, use a Signal TLS proxy (paste its link, like https://signal.tube/#host): ' +
        "your network then sees only a connection to the proxy; the proxy's operator sees your IP address " +
        'and when you connect, never your messages.',
    ),
    // Where it cannot work, the setting protects nothing: never a ✓, and nothing the user can turn on.
    facts.screenSecurityAvailable === false
      ? {
          id: 'screen-security',
          title: 'Screen security on',
          status: 'unavailable',
          advice: SCREEN_SECURITY_UNAVAILABLE,
          why: WHY['screen-security'],
          needsUserAction: false,
        }
      : item(
          'screen-security',
          'Screen security on',
          settings.screenSecurity,
          'The window is protected from screenshots and screen recording (macOS and Windows).',
          'Turn on screen security to keep the window out of screenshots and screen recordings ' +
            '(effective on macOS and Windows).',
          { screenSecurity: true },
        ),
    item(
      'unknown-senders',
      'Unknown senders blocked',
      settings.blockUnknownSenders !== 'off',
      settings.blockUnknownSenders === 'drop'
        ? 'Messages from unknown senders are dropped.'
        : 'Messages from unknown senders wait as requests; they get no receipts and no profile.',
      'Hold messages from unknown senders as requests (or drop them): they then get no delivery or read ' +
        'receipts and not your profile.',
      { blockUnknownSenders: 'hold-as-request' },
    ),
    item(
      'passphrase',
      'Vault passphrase in use',
      !facts.noPassphraseMode,
      'Your data is encrypted with a key derived from your passphrase.',
      'Set a passphrase: in no-passphrase mode the database key is kept in a file next to the data, so ' +
        'anyone with access to the disk can read everything.',
    ),
    ...(facts.guessCostMs === undefined
      ? []
      : [
          item(
            'kdf-cost',
            'Passphrase guesses are expensive',
            facts.guessCostMs >= MIN_GUESS_COST_MS,
            `A guess costs an attacker about ${Math.round(facts.guessCostMs)} ms per core.`,
            `A guess costs an attacker only about ${Math.round(facts.guessCostMs)} ms per core. Recalibrate ` +
              'the key derivation for this computer (Settings → Danger zone).',
          ),
        ]),
  ];
}

/**
 * The settings with every recommendation applied that needs no user input. Pure; the result is
 * validated against the schema.
 */
export function applyRecommended(settings: Settings): Settings {
  const neutral: AccountFacts = {
    pinSet: true,
    pinStrengthBits: 1000,
    registrationLock: true,
    noPassphraseMode: false,
  };
  let next: Settings = { ...settings };
  for (const entry of auditSettings(settings, neutral)) {
    if (entry.status === 'advice' && entry.recommendedPatch)
      next = applySettingsPatch(next, entry.recommendedPatch);
  }
  return settingsSchema.parse(next);
}

/** The score counts only ok and advice; what cannot work here is counted apart. */
export function auditSummary(items: readonly AuditItem[]): {
  ok: number;
  advice: number;
  total: number;
  unavailable: number;
} {
  const ok = items.filter((i) => i.status === 'ok').length;
  const advice = items.filter((i) => i.status === 'advice').length;
  return { ok, advice, total: ok + advice, unavailable: items.length - ok - advice };
}

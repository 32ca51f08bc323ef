/**
 * Every user setting: zod schema, TS type and defaults. PLATFORM-FREE (zod only, no node:* imports) so
 * the renderer can import it through src/api. Durations are seconds, the unit of the Signal protocol's
 * expiration-timer field; 0 means "off".
 *
 * Registration lock and PIN-reminder state are account facts and live in src/account, not here.
 */
import { z } from 'zod';

/** Disappearing-messages default timer for new chats: off, 30 s, 5 min, 1 h, 8 h, 1 d, 1 week, 4 weeks. */
export const DISAPPEARING_TIMER_SECONDS = [0, 30, 300, 3600, 28_800, 86_400, 604_800, 2_419_200] as const;
export type DisappearingTimerSeconds = (typeof DISAPPEARING_TIMER_SECONDS)[number];
/** What the hardening audit recommends (seed guide 000): one week. */
export const RECOMMENDED_DISAPPEARING_SECONDS: DisappearingTimerSeconds = 604_800;

/** Auto-lock after inactivity: off, 1 min, 5 min, 15 min, 30 min, 1 h, 4 h, 1 day. */
export const AUTO_LOCK_SECONDS = [0, 60, 300, 900, 1800, 3600, 14_400, 86_400] as const;

export const NOTIFICATION_PRIVACY = ['name-and-message', 'name-only', 'no-name-or-message'] as const;
export type NotificationPrivacy = (typeof NOTIFICATION_PRIVACY)[number];

const BLOCK_UNKNOWN_SENDERS = ['off', 'drop', 'hold-as-request'] as const;
export type BlockUnknownSenders = (typeof BLOCK_UNKNOWN_SENDERS)[number];

/** The Tor preset: a local Tor daemon's SOCKS port (the one definition; src/net/route.ts connects to it). */
export const TOR_SOCKS_HOST = '127.0.0.1';
export const TOR_SOCKS_PORT = 9050;

const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/** RFC 1123 host name; a name whose last label is all digits would be an (invalid) IPv4 address. */
function isHostName(host: string): boolean {
  const labels = (host.endsWith('.') ? host.slice(0, -1) : host).split('.');
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return false;
  return labels.every((label) => HOST_LABEL.test(label));
}

/** A host name or an IPv4/IPv6 literal (brackets allowed and removed). No scheme, no port, no path. */
const proxyHostSchema = z
  .string('The proxy host must be text.')
  .trim()
  .transform((host) => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host))
  .pipe(
    z
      .string()
      .min(1, 'Enter the proxy host.')
      .max(253, 'The proxy host is too long.')
      .refine(
        (host) => z.ipv4().safeParse(host).success || z.ipv6().safeParse(host).success || isHostName(host),
        'The proxy host must be a host name or an IP address (no scheme, port or path).',
      ),
  );

const proxyPortSchema = z
  .number('The proxy port must be a number.')
  .int('The proxy port must be a whole number.')
  .min(1, 'The proxy port must be between 1 and 65535.')
  .max(65_535, 'The proxy port must be between 1 and 65535.');

/** RFC 1929: a SOCKS5 username or password is 1..255 bytes (UTF-8), not characters. */
function proxyCredentialSchema(what: 'username' | 'password') {
  return z.string(`The proxy ${what} must be text.`).refine((value) => {
    const bytes = new TextEncoder().encode(value).byteLength;
    return bytes >= 1 && bytes <= 255;
  }, `The proxy ${what} must be 1 to 255 bytes long.`);
}

/**
 * The proxy setting, and the ONE proxy rule: the route layer (src/net/route.ts) validates with this
 * schema, so a setting the store accepts is one the network can use.
 */
export const proxySettingSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('none') }).strict(),
  z
    .object({
      mode: z.literal('socks5'),
      host: proxyHostSchema,
      port: proxyPortSchema,
      username: proxyCredentialSchema('username').optional(),
      password: proxyCredentialSchema('password').optional(),
    })
    .strict()
    // SOCKS5 username/password authentication always sends both; a lone password cannot be used.
    .refine((proxy) => proxy.password === undefined || proxy.username !== undefined, {
      message: 'A proxy password needs a username.',
      path: ['password'],
    }),
  z.object({ mode: z.literal('tor') }).strict(),
  // A Signal TLS proxy (signalapp/Signal-TLS-Proxy): TLS to `host`, Signal's own TLS inside it.
  z
    .object({
      mode: z.literal('signal-tls-proxy'),
      host: proxyHostSchema,
      port: proxyPortSchema.optional(),
    })
    .strict(),
]);
export type ProxySetting = z.infer<typeof proxySettingSchema>;

/** A Signal TLS proxy listens on 443 unless its link or the user names another port. */
export const SIGNAL_TLS_PROXY_DEFAULT_PORT = 443;

/** The hosts Signal's apps put in proxy links; anything else is not a Signal proxy link. */
const PROXY_LINK_HOST = 'signal.tube';

export type SignalProxyLinkResult =
  | { readonly ok: true; readonly proxy: Extract<ProxySetting, { mode: 'signal-tls-proxy' }> }
  | { readonly ok: false; readonly error: string };

/**
 * Reads a proxy link as Signal shares them — `https://signal.tube/#<host>` or `sgnl://signal.tube?host=<host>`
 * (a `:port` after the host is kept) — into the proxy setting. The host is checked by the setting's own rule,
 * so a link is accepted exactly when typing its host would be.
 */
export function parseSignalProxyLink(link: string): SignalProxyLinkResult {
  const fail = (error: string): SignalProxyLinkResult => ({ ok: false, error });
  let url: URL;
  try {
    url = new URL(link.trim());
  } catch {
    return fail('This is not a link. Paste a proxy link like https://signal.tube/#proxy.example.org.');
  }
  let address: string | null;
  if (url.protocol === 'https:' && url.hostname === PROXY_LINK_HOST) {
    address = url.hash.length > 1 ? decodeURIComponent(url.hash.slice(1)) : null;
  } else if (url.protocol === 'sgnl:' && url.hostname === PROXY_LINK_HOST) {
    address = url.searchParams.get('host');
  } else {
    return fail('This is not a Signal proxy link (https://signal.tube/#… or sgnl://signal.tube?host=…).');
  }
  if (address === null || address.trim() === '') return fail('The proxy link names no proxy host.');
  const withPort = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(address.trim());
  const host = withPort?.[1] ?? address;
  const port = withPort?.[2] === undefined ? undefined : Number(withPort[2]);
  const parsed = proxySettingSchema.safeParse({
    mode: 'signal-tls-proxy',
    host,
    ...(port === undefined ? {} : { port }),
  });
  if (!parsed.success || parsed.data.mode !== 'signal-tls-proxy') {
    return fail(parsed.error?.issues[0]?.message ?? 'The proxy link is not valid.');
  }
  return { ok: true, proxy: parsed.data };
}

export const settingsSchema = z
  .object({
    disappearingDefaultSeconds: z.literal(DISAPPEARING_TIMER_SECONDS),
    autoLockSeconds: z.literal(AUTO_LOCK_SECONDS),
    lockOnSuspend: z.boolean(),
    linkPreviews: z.boolean(),
    notificationPrivacy: z.enum(NOTIFICATION_PRIVACY),
    screenSecurity: z.boolean(),
    proxy: proxySettingSchema,
    blockUnknownSenders: z.enum(BLOCK_UNKNOWN_SENDERS),
    readReceipts: z.boolean(),
  })
  .strict();
export type Settings = z.infer<typeof settingsSchema>;
export type SettingKey = keyof Settings;
export const SETTING_KEYS = Object.keys(settingsSchema.shape) as SettingKey[];

/** A partial update; every present field is validated. */
export const settingsPatchSchema = settingsSchema.partial().strict();
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

/** `settings` with every field the patch names (an explicitly undefined field changes nothing). */
export function applySettingsPatch(settings: Readonly<Settings>, patch: SettingsPatch): Settings {
  const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  return { ...settings, ...(defined as Partial<Settings>) };
}

/**
 * Defaults, chosen for a hardened client:
 * - disappearing messages off: a default timer deletes the user's data without asking; the audit
 *   recommends one week and "apply recommended" sets it.
 * - auto-lock after 5 min, lock on suspend/screen lock on.
 * - link previews OFF: generating one fetches the URL (leaks the IP and the link to the site).
 * - notification privacy `no-name-or-message`: OS notifications are shown on the lock screen, mirrored
 *   to other devices, recorded in screen shares and kept in the OS notification database in plaintext,
 *   outside our encrypted vault. The safe default shows only "new message"; the user can opt in to more.
 * - screen security ON (content protection against screenshots/recording where the OS supports it).
 * - proxy none: a SOCKS host or a Signal TLS proxy needs user input; Tor needs a running Tor daemon.
 * - unknown senders `hold-as-request`: like Signal's message requests, no receipts and no profile key
 *   are sent to a stranger until the user accepts; `drop` is stricter.
 * - read receipts ON, as in Signal: contacts see when we read their messages and we see when they read
 *   ours. Off works both ways (Signal's reciprocity rule): we send none and show none of theirs; delivery
 *   receipts go either way.
 */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  disappearingDefaultSeconds: 0,
  autoLockSeconds: 300,
  lockOnSuspend: true,
  linkPreviews: false,
  notificationPrivacy: 'no-name-or-message',
  screenSecurity: true,
  proxy: Object.freeze({ mode: 'none' }),
  blockUnknownSenders: 'hold-as-request',
  readReceipts: true,
});

/** Human labels for the timers, for the settings screen and the audit. */
export function durationLabel(seconds: number): string {
  if (seconds === 0) return 'off';
  const units: [number, string][] = [
    [604_800, 'week'],
    [86_400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  for (const [size, name] of units) {
    if (seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} seconds`;
}

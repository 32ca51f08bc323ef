/**
 * The renderer's one origin: a custom privileged scheme, never file:// (file:// pages share an origin with
 * every local file and cannot carry response headers such as our CSP). Platform-free: no electron import.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'carapace';
const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** `protocol.registerSchemesAsPrivileged` entry (see main/index.ts for why each privilege is set). */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
} as const;
/** The page the window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Parses a URL string, or undefined when it is not one. */
export function parseUrl(url: string | undefined | null): URL | undefined {
  if (typeof url !== 'string' || url.length === 0) return undefined;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * True when `url` is on our app:// origin. Non-special schemes have an opaque `URL.origin` ("null"), so the
 * scheme, host, port and credentials are compared one by one.
 */
export function isAppUrl(url: string | undefined | null): boolean {
  const parsed = parseUrl(url);
  return (
    parsed !== undefined &&
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.host === APP_HOST &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/**
 * Navigation and window-opening policy (no electron import). The window only ever shows our app:// pages.
 * Links to https sites may be opened in the system browser, but only after the user confirms — the browser
 * does not use Carapace's proxy, so opening it can leave Tor. Every other scheme is refused.
 */
import { isAppUrl, parseUrl } from './app-origin.js';

export type NavigationDecision =
  | { readonly action: 'allow' }
  | { readonly action: 'deny' }
  | { readonly action: 'confirm-external'; readonly url: string };

const MAX_EXTERNAL_URL_LENGTH = 2048;

/** An https URL we would hand to the OS browser, normalised, or undefined. */
function externalHttpsUrl(url: string): string | undefined {
  if (url.length > MAX_EXTERNAL_URL_LENGTH) return undefined;
  const parsed = parseUrl(url);
  if (parsed === undefined || parsed.protocol !== 'https:') return undefined;
  // Credentials in a link are a phishing trick (https://bank.example@evil.example/).
  if (parsed.username !== '' || parsed.password !== '') return undefined;
  if (parsed.hostname.length === 0) return undefined;
  return parsed.href;
}

/** `will-navigate` / `will-redirect` / `will-frame-navigate`: stay inside app://, or ask about https. */
export function decideNavigation(url: string): NavigationDecision {
  if (isAppUrl(url)) return { action: 'allow' };
  const external = externalHttpsUrl(url);
  return external === undefined ? { action: 'deny' } : { action: 'confirm-external', url: external };
}

/** `setWindowOpenHandler`: a new Electron window is never created; https may go to the browser after a prompt. */
export function decideWindowOpen(url: string): NavigationDecision {
  const external = externalHttpsUrl(url);
  return external === undefined ? { action: 'deny' } : { action: 'confirm-external', url: external };
}

/**
 * `session.webRequest.onBeforeRequest`: the renderer has no network. Only our own app:// files and
 * in-memory blob:/data: URLs load; http, https, ws, wss, ftp, file and everything else are cancelled.
 */
export function isRequestAllowed(url: string): boolean {
  if (isAppUrl(url)) return true;
  const parsed = parseUrl(url);
  if (parsed === undefined) return false;
  if (parsed.protocol === 'data:') return true;
  // blob: URLs of our own origin only ("blob:app://carapace/<uuid>").
  if (parsed.protocol === 'blob:') return isAppUrl(parsed.pathname);
  return false;
}

export interface ExternalLinkPrompt {
  readonly type: 'warning';
  readonly title: string;
  readonly message: string;
  readonly detail: string;
  readonly buttons: readonly [string, string];
  readonly defaultId: 0;
  readonly cancelId: 0;
}

/** The confirmation shown before a link leaves the app; "Cancel" is the default and index 0. */
export function externalLinkPrompt(url: string): ExternalLinkPrompt {
  const host = parseUrl(url)?.hostname ?? '';
  return {
    type: 'warning',
    title: 'Open link in browser?',
    message: `Open ${host} in your web browser?`,
    detail:
      `${url}\n\nYour browser does not use Carapace's proxy or Tor settings: the site and your network ` +
      'will see your IP address. Only continue if you trust this link.',
    buttons: ['Cancel', 'Open in browser'],
    defaultId: 0,
    cancelId: 0,
  };
}

/** Index of the button that confirms opening the link. */
export const EXTERNAL_LINK_CONFIRM_BUTTON = 1;

/**
 * Defence in depth for the renderer session: every request Chromium's own network stack would make for the
 * renderer (a missed webRequest case, DNS prefetch/preconnect for a link, a future Chromium feature) goes
 * to a SOCKS5 proxy on a loopback port where nothing listens, so it fails instead of leaving the machine
 * outside Tor. `<-loopback>` removes Chromium's implicit loopback bypass. Only the renderer session is
 * affected: the core's connections (src/net, Node sockets) never use Chromium's network stack.
 */
export const RENDERER_DEAD_PROXY = {
  mode: 'fixed_servers',
  proxyRules: 'socks5://127.0.0.1:9',
  proxyBypassRules: '<-loopback>',
} as const;

/**
 * The one Content-Security-Policy, sent with every app:// response and, by the web harness (e2e/harness),
 * with every page it serves. The renderer has no network at all (`connect-src 'none'`); scripts and styles
 * come only from our own files. The harness differs in one directive only: its page talks to the core over
 * a loopback WebSocket, so it passes that endpoint as `connectSrc`.
 */
export function contentSecurityPolicy(connectSrc = "'none'"): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    // Audio and video the user chose to play (read from the core by range into a Blob).
    'media-src blob:',
    "font-src 'self'",
    `connect-src ${connectSrc}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The Electron renderer's policy. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

/** Headers on every response of the app:// protocol (and of the harness), including errors. */
export function securityHeaders(csp = CONTENT_SECURITY_POLICY): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}

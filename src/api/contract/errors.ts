/** The contract's result shape and every error code with its one user-facing sentence. */

/** Every error the UI can receive. `code` is a CarapaceError code (src/errors.ts) or one below. */
export interface ApiError {
  readonly code: string;
  readonly message: string;
  /** For UNLOCK_THROTTLED / WRONG_PASSPHRASE: how long until the next try is allowed. */
  readonly retryAfterMs?: number;
  /** For WRONG_PIN: tries the key backup has left before it is deleted. */
  readonly triesRemaining?: number;
  /** For INVALID_INPUT: the paths of the fields at fault (`patch.proxy.port`); the UI names them in words. */
  readonly fields?: readonly string[];
  /**
   * For a send that failed after its message was stored (status "failed"): that message, which
   * `messages.resend` sends again. Absent when nothing was stored (e.g. the route was down from the start).
   */
  readonly failedMessageId?: string;
}
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/**
 * Stable error codes with the explanation the UI shows. The CarapaceError codes of src/errors.ts plus
 * INTERNAL (an unexpected failure; details stay in the core) and DISCONNECTED (the UI lost its connection
 * to the core). Each is one sentence. A CarapaceError with a fixed wording has this same sentence as its
 * message, and the UI shows it once; a message with specifics (a server status, a field) follows it.
 */
export const ERROR_EXPLANATIONS = {
  VAULT_LOCKED: 'Carapace is locked; unlock it with your passphrase.',
  WRONG_PASSPHRASE: 'That passphrase is not correct.',
  UNLOCK_THROTTLED: 'Too many wrong passphrases; each further wrong one makes the wait longer.',
  VAULT_NOT_INITIALIZED: 'No encrypted profile exists yet; create a passphrase to start.',
  VAULT_ALREADY_EXISTS: 'An encrypted profile already exists here; unlock it instead.',
  VAULT_CORRUPT: 'The encrypted profile is damaged and cannot be opened.',
  PROFILE_IN_USE: 'This profile is open in another Carapace window or command; close that, then try again.',
  INVALID_INPUT: 'Some of the input is not valid.',
  NOT_FOUND: 'Not found — it may have been deleted in the meantime.',
  PRECONDITION: 'That cannot be done at this point.',
  BLOCKED: 'This contact is blocked; unblock them to send messages.',
  NOT_CONNECTED:
    'Carapace is not connected to the Signal service right now; try again once it shows "Connected".',
  PROXY_UNAVAILABLE: 'The proxy (or Tor) cannot be reached, and Carapace never connects directly instead.',
  PROXY_AUTH_FAILED: 'The proxy refused the username or password.',
  NETWORK: 'The network is not reachable right now.',
  SERVER: 'The Signal server returned an error. Try again later.',
  PROTOCOL: 'The server sent something Carapace could not understand.',
  DECRYPTION_FAILED: 'A message could not be decrypted.',
  UNTRUSTED_IDENTITY: 'The safety number with this contact changed; compare it, then confirm before sending.',
  NOT_REGISTERED: 'This device is not registered yet.',
  RECIPIENT_NOT_REGISTERED: 'They are not registered on Signal, so nothing was sent to them.',
  REGISTRATION_LOCKED: 'This number is protected by a registration lock; enter your Signal PIN.',
  WRONG_VERIFICATION_CODE: 'That verification code is not correct; check the SMS and try again.',
  WRONG_PIN: 'That PIN is not correct.',
  KEY_BACKUP_UNAVAILABLE:
    'There is no PIN-protected key backup (none was made, or too many wrong PINs deleted it).',
  VAULT_FILE_NOT_FOUND: 'A stored file is missing from the encrypted profile; it may have been deleted.',
  LINK_PREVIEW: 'No preview could be made for that link; send without one, or try again later.',
  WEAK_PIN: 'That PIN is too easy to guess. Choose a longer one.',
  ATTACHMENT: 'The attachment could not be processed.',
  ALREADY_VIEWED: 'This view-once media was already opened and has been deleted.',
  CONFIRMATION_REQUIRED: 'This file type can run code on your computer. Confirm before saving it.',
  SAVE_FAILED:
    'The file could not be saved there; nothing was left behind. Choose another place or try again.',
  NOT_AVAILABLE: 'This is not available in this build or configuration.',
  INTERNAL: 'Something went wrong inside Carapace. Nothing was lost; try again.',
  DISCONNECTED: 'The connection to the Carapace core was lost. Reload to reconnect.',
} as const satisfies Record<string, string>;

/** The user-facing explanation for an error code (a generic line for codes this build does not know). */
export function explainError(code: string): string {
  return (ERROR_EXPLANATIONS as Record<string, string>)[code] ?? ERROR_EXPLANATIONS.INTERNAL;
}

/**
 * A typed error said once: the code's one-sentence explanation, and the core's message only when it adds
 * specifics (an error with a fixed wording has the explanation as its message; a message that begins with
 * the explanation keeps only the rest). The one rule for every place that shows an error (UI, CLI).
 */
export function sayError(code: string, message: string): { explanation: string; detail: string | null } {
  const explanation = explainError(code);
  let detail = message && message !== explanation ? message : null;
  if (detail?.startsWith(explanation)) detail = detail.slice(explanation.length).trim() || null;
  return { explanation, detail };
}

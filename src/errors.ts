/**
 * Errors are values with types. Every error the UI may see is a CarapaceError with a stable `code`
 * that src/api maps to a user-facing explanation (ERROR_EXPLANATIONS). An error with a fixed wording says
 * it in ONE sentence, the same as its code's explanation (src/api/contract.test.ts checks it), so the UI
 * shows it once; any other message carries specifics (a status, a field) shown after the explanation.
 * The code says what happened: INVALID_INPUT only for malformed input, NOT_FOUND, PRECONDITION, BLOCKED,
 * NOT_CONNECTED… for a well-formed request that cannot be carried out. Messages never contain secrets, message bodies
 * or phone numbers.
 */
export abstract class CarapaceError extends Error {
  abstract readonly code: string;
  /** A send that failed after its message was stored: that message (the UI offers "Send again"). */
  failedMessageId?: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class VaultLockedError extends CarapaceError {
  readonly code = 'VAULT_LOCKED';
  constructor() {
    super('Carapace is locked; unlock it with your passphrase.');
  }
}

export class WrongPassphraseError extends CarapaceError {
  readonly code = 'WRONG_PASSPHRASE';
  constructor(readonly retryAfterMs: number) {
    super('That passphrase is not correct.');
  }
}

export class UnlockThrottledError extends CarapaceError {
  readonly code = 'UNLOCK_THROTTLED';
  constructor(readonly retryAfterMs: number) {
    super('Too many wrong passphrases; each further wrong one makes the wait longer.');
  }
}

export class VaultNotInitializedError extends CarapaceError {
  readonly code = 'VAULT_NOT_INITIALIZED';
  constructor() {
    super('No encrypted profile exists yet; create a passphrase to start.');
  }
}

export class VaultAlreadyExistsError extends CarapaceError {
  readonly code = 'VAULT_ALREADY_EXISTS';
  constructor() {
    super('An encrypted profile already exists here; unlock it instead.');
  }
}

export class VaultCorruptError extends CarapaceError {
  readonly code = 'VAULT_CORRUPT';
}

/** Another process (the app, the harness, the CLI) has this profile open; one process per profile. */
export class ProfileInUseError extends CarapaceError {
  readonly code = 'PROFILE_IN_USE';
  constructor() {
    super('This profile is open in another Carapace window or command; close that, then try again.');
  }
}

/** Malformed input only (a wrong type, length or format). A request that is well-formed but cannot be
 * carried out says why with one of the errors below. */
export class ValidationError extends CarapaceError {
  readonly code = 'INVALID_INPUT';
}

/** The thing an id names does not exist (any more): a conversation, message or attachment. */
export class NotFoundError extends CarapaceError {
  readonly code = 'NOT_FOUND';
}

/** A step out of order or a state that is not ready (e.g. marking a safety number verified unseen). */
export class PreconditionError extends CarapaceError {
  readonly code = 'PRECONDITION';
}

/** The conversation is blocked: nothing is sent to it until the user unblocks it. */
export class BlockedError extends CarapaceError {
  readonly code = 'BLOCKED';
  constructor() {
    super('This contact is blocked; unblock them to send messages.');
  }
}

/** The messaging connection to the Signal service is not up (yet, or any more). */
export class NotConnectedError extends CarapaceError {
  readonly code = 'NOT_CONNECTED';
  constructor() {
    super('Carapace is not connected to the Signal service right now; try again once it shows "Connected".');
  }
}

export class ProxyUnavailableError extends CarapaceError {
  readonly code = 'PROXY_UNAVAILABLE';
}

export class ProxyAuthError extends CarapaceError {
  readonly code = 'PROXY_AUTH_FAILED';
}

export class NetworkError extends CarapaceError {
  readonly code = 'NETWORK';
}

export class ServerError extends CarapaceError {
  readonly code = 'SERVER';
  constructor(
    message: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class ProtocolError extends CarapaceError {
  readonly code = 'PROTOCOL';
}

/** A gRPC call answered with a non-OK `grpc-status` (the server's grpc-message is never quoted). */
export class GrpcStatusError extends CarapaceError {
  readonly code = 'SERVER';
  constructor(
    readonly grpcStatus: number,
    message: string,
  ) {
    super(message);
  }
}

export class DecryptionError extends CarapaceError {
  readonly code = 'DECRYPTION_FAILED';
}

export class UntrustedIdentityError extends CarapaceError {
  readonly code = 'UNTRUSTED_IDENTITY';
  constructor(readonly conversationId: string) {
    super('The safety number with this contact changed; compare it, then confirm before sending.');
  }
}

export class NotRegisteredError extends CarapaceError {
  readonly code = 'NOT_REGISTERED';
}

/**
 * The server does not know whom we sent to (404): they left Signal or never joined, and nothing went to
 * them. Not NOT_REGISTERED, which is about this device.
 */
export class RecipientNotRegisteredError extends CarapaceError {
  readonly code = 'RECIPIENT_NOT_REGISTERED';
  constructor(message = 'They are not registered on Signal, so nothing was sent to them.') {
    super(message);
  }
}

export class RegistrationLockedError extends CarapaceError {
  readonly code = 'REGISTRATION_LOCKED';
  constructor(
    readonly timeRemainingMs: number,
    options?: { cause?: unknown },
    /** SVR2 backup credentials from the server's 423 answer, to restore the PIN-protected master key. */
    readonly svr2Credentials?: { readonly username: string; readonly password: string },
  ) {
    super('This number is protected by a registration lock; enter your Signal PIN.', options);
  }
}

export class VerificationCodeError extends CarapaceError {
  readonly code = 'WRONG_VERIFICATION_CODE';
  constructor() {
    super('That verification code is not correct; check the SMS and try again.');
  }
}

export class WrongPinError extends CarapaceError {
  readonly code = 'WRONG_PIN';
  constructor(readonly triesRemaining: number) {
    // The UI shows the tries left from `triesRemaining`, on their own line.
    super('That PIN is not correct.');
  }
}

export class WeakPinError extends CarapaceError {
  readonly code = 'WEAK_PIN';
}

/** The PIN-protected key backup is gone: never made, or deleted after too many wrong PINs. */
export class KeyBackupUnavailableError extends CarapaceError {
  readonly code = 'KEY_BACKUP_UNAVAILABLE';
  constructor(readonly reason: 'deleted' | 'missing') {
    // One sentence for both reasons: the UI says the same; `reason` is for the code and tests.
    super('There is no PIN-protected key backup (none was made, or too many wrong PINs deleted it).');
  }
}

export class AttachmentError extends CarapaceError {
  readonly code = 'ATTACHMENT';
}

/** A view-once message was already opened: its media is gone, only the "viewed" marker remains. */
export class AlreadyViewedError extends CarapaceError {
  readonly code = 'ALREADY_VIEWED';
  constructor() {
    super('This view-once media was already opened and has been deleted.');
  }
}

/** An id given to the vault's encrypted file store names no stored file. */
export class VaultFileNotFoundError extends CarapaceError {
  readonly code = 'VAULT_FILE_NOT_FOUND';
  constructor() {
    super('A stored file is missing from the encrypted profile; it may have been deleted.');
  }
}

/** A file could not be written where the user chose to save it (no room, no permission, a lock meanwhile). */
export class SaveFailedError extends CarapaceError {
  readonly code = 'SAVE_FAILED';
  constructor(options?: ErrorOptions) {
    super(
      'The file could not be saved there; nothing was left behind. Choose another place or try again.',
      options,
    );
  }
}

/** A capability this build or configuration does not offer (e.g. no Signal service is configured). */
export class NotAvailableError extends CarapaceError {
  readonly code = 'NOT_AVAILABLE';
}

/** Why a link preview could not be made: for logs and tests only, never shown (a link could probe ports). */
export type LinkPreviewFailure =
  | 'invalid-url'
  | 'not-https'
  | 'blocked-host'
  | 'unreachable'
  | 'tls'
  | 'http-status'
  | 'not-html'
  | 'not-image'
  | 'too-large'
  | 'too-many-redirects'
  | 'timeout'
  | 'no-metadata'
  | 'cancelled';

/** Every preview failure carries the same message, so its text tells nothing about the target. */
export class LinkPreviewError extends CarapaceError {
  readonly code = 'LINK_PREVIEW';
  constructor(
    readonly reason: LinkPreviewFailure,
    options?: { cause?: unknown },
  ) {
    super('No preview could be made for that link; send without one, or try again later.', options);
  }
}

export function isCarapaceError(value: unknown): value is CarapaceError {
  return value instanceof CarapaceError;
}

/** The action needs the user's explicit confirmation first (e.g. saving a potentially executable file). */
export class ConfirmationRequiredError extends CarapaceError {
  readonly code = 'CONFIRMATION_REQUIRED';
}

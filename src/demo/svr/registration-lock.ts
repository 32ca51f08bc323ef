/**
 * Server-side registration lock, as Signal's server enforces it: re-registering a number whose account
 * has a registration lock answers 423 with the time remaining and SVR credentials (so the new device
 * can fetch the master key with the PIN), and succeeds only with the right token — until the account
 * has been inactive for 7 days (now − lastSeen ≥ 7 d), when the lock expires. Clock injectable.
 *
 * Accounts are keyed by phone number (E.164) here; numbers are never logged.
 */
import { timingSafeEqual } from 'node:crypto';
import type { SvrCredentialIssuer, SvrCredentials } from './credentials.js';

export const REGISTRATION_LOCK_INACTIVITY_MS = 7 * 24 * 3_600_000;

interface LockedAccountState {
  aci: string;
  registrationLockToken?: string;
  lastSeen: number;
}

export interface RegistrationLockedBody {
  /** Milliseconds until the lock expires through inactivity. */
  readonly timeRemaining: number;
  readonly svr2Credentials: SvrCredentials;
}

export type RegistrationDecision =
  | { readonly allowed: true; readonly lockPassed: boolean }
  | { readonly allowed: false; readonly status: 423; readonly body: RegistrationLockedBody };

const TOKEN = /^[0-9a-f]{64}$/;

export class RegistrationLockPolicy {
  private readonly accounts = new Map<string, LockedAccountState>();
  private readonly now: () => number;
  private readonly inactivityMs: number;

  constructor(
    private readonly credentials: SvrCredentialIssuer,
    options: { now?: () => number; inactivityMs?: number } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.inactivityMs = options.inactivityMs ?? REGISTRATION_LOCK_INACTIVITY_MS;
  }

  /** A (re-)registration of `e164` as `aci` completed: the account is active now. */
  recordRegistration(e164: string, aci: string, options: { keepLock?: boolean } = {}): void {
    const previous = this.accounts.get(e164);
    const token = options.keepLock ? previous?.registrationLockToken : undefined;
    this.accounts.set(e164, {
      aci,
      lastSeen: this.now(),
      ...(token ? { registrationLockToken: token } : {}),
    });
  }

  /** Authenticated activity from the account (keeps the lock alive). */
  touch(e164: string): void {
    const account = this.accounts.get(e164);
    if (account) account.lastSeen = this.now();
  }

  /** PUT /v1/accounts/registration_lock. Returns false for an unknown account or a malformed token. */
  setLock(e164: string, token: string | undefined): boolean {
    const account = this.accounts.get(e164);
    if (!account) return false;
    if (token === undefined) {
      delete account.registrationLockToken;
      return true;
    }
    if (!TOKEN.test(token)) return false;
    account.registrationLockToken = token;
    account.lastSeen = this.now();
    return true;
  }

  isLocked(e164: string): boolean {
    const account = this.accounts.get(e164);
    return !!account?.registrationLockToken && this.now() - account.lastSeen < this.inactivityMs;
  }

  aciFor(e164: string): string | undefined {
    return this.accounts.get(e164)?.aci;
  }

  /** Decide a registration attempt for `e164` presenting `token` (from accountAttributes.registrationLock). */
  check(e164: string, token: string | undefined): RegistrationDecision {
    const account = this.accounts.get(e164);
    if (!account?.registrationLockToken) return { allowed: true, lockPassed: false };
    const inactiveFor = this.now() - account.lastSeen;
    if (inactiveFor >= this.inactivityMs) return { allowed: true, lockPassed: false };
    if (token !== undefined && TOKEN.test(token)) {
      const a = Buffer.from(token, 'hex');
      const b = Buffer.from(account.registrationLockToken, 'hex');
      if (a.length === b.length && timingSafeEqual(a, b)) return { allowed: true, lockPassed: true };
    }
    return {
      allowed: false,
      status: 423,
      body: {
        timeRemaining: this.inactivityMs - inactiveFor,
        svr2Credentials: this.credentials.issue(account.aci),
      },
    };
  }
}

/**
 * Wrong-passphrase throttling, persisted in a small non-secret file so restarting the app does not
 * reset it. Policy: the first 3 failures are free (typos); then the wait doubles from 2 s up to 15 min.
 *
 * Honest limit: this slows guessing through the app only. Someone who copies the profile directory can
 * run Argon2 offline as fast as their hardware allows (or delete this file); the Argon2 cost and the
 * passphrase's strength are what protect the data against them.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { writeFileAtomic } from './fs-util.js';

const FREE_ATTEMPTS = 3;
const FIRST_DELAY_MS = 2_000;
const MAX_DELAY_MS = 15 * 60_000;
const DAMAGED_FILE_FAILURES = FREE_ATTEMPTS + 4;

/** Wait required after `failures` consecutive wrong passphrases. */
export function throttleDelayMs(failures: number): number {
  if (failures <= FREE_ATTEMPTS) return 0;
  return Math.min(FIRST_DELAY_MS * 2 ** (failures - FREE_ATTEMPTS - 1), MAX_DELAY_MS);
}

interface ThrottleState {
  failures: number;
  lastFailureAt: number;
}

export class UnlockThrottle {
  constructor(
    private readonly path: string,
    private readonly clock: () => number,
  ) {}

  private read(): ThrottleState {
    if (!existsSync(this.path)) return { failures: 0, lastFailureAt: 0 };
    try {
      const raw = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<ThrottleState>;
      const failures = Number.isSafeInteger(raw.failures) && (raw.failures ?? 0) >= 0 ? raw.failures! : 0;
      const lastFailureAt = Number.isFinite(raw.lastFailureAt) ? raw.lastFailureAt! : 0;
      return { failures, lastFailureAt };
    } catch {
      // A damaged file must be neither a way around the throttle nor a permanent lock-out: count it as
      // a few failures, the last one when the file was written.
      return { failures: DAMAGED_FILE_FAILURES, lastFailureAt: statSync(this.path).mtimeMs };
    }
  }

  get failures(): number {
    return this.read().failures;
  }

  /** Milliseconds until another attempt is allowed (0 = now). A clock set backwards does not help. */
  retryAfterMs(): number {
    const { failures, lastFailureAt } = this.read();
    const delay = throttleDelayMs(failures);
    if (delay === 0) return 0;
    const now = this.clock();
    if (now < lastFailureAt) return delay;
    return Math.max(0, lastFailureAt + delay - now);
  }

  /** Records a failure; returns the wait now required before the next attempt. */
  recordFailure(): number {
    const failures = this.read().failures + 1;
    const state: ThrottleState = { failures, lastFailureAt: this.clock() };
    writeFileAtomic(this.path, Buffer.from(JSON.stringify(state), 'utf8'), 0o600);
    return throttleDelayMs(failures);
  }

  reset(): void {
    if (this.read().failures === 0) return;
    writeFileAtomic(this.path, Buffer.from(JSON.stringify({ failures: 0, lastFailureAt: 0 }), 'utf8'), 0o600);
  }
}

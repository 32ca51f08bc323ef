/**
 * Locks the vault after a period without user activity. `touch()` is cheap (it records a time); the
 * single timer re-arms itself for the remaining time when it fires early, so frequent activity never
 * churns timers. Suspend / screen-lock locking is the shell's job (it calls `vault.lock('suspend')`).
 */
import type { Vault } from './vault.js';

/** The choices the settings offer: off, 1 min, 5 min (default), 15 min, 30 min, 1 h, 4 h, 1 day. */
export const AUTO_LOCK_CHOICES_MS: readonly (number | null)[] = Object.freeze([
  null,
  60_000,
  5 * 60_000,
  15 * 60_000,
  30 * 60_000,
  60 * 60_000,
  4 * 60 * 60_000,
  24 * 60 * 60_000,
]);

export const DEFAULT_AUTO_LOCK_MS = 5 * 60_000;

export interface AutoLockTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface AutoLockOptions {
  /** null = never auto-lock. Any positive number of ms is accepted; the UI offers AUTO_LOCK_CHOICES_MS. */
  timeoutMs: number | null;
  clock?: () => number;
  timers?: AutoLockTimers;
}

const realTimers: AutoLockTimers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

function checkTimeout(ms: number | null): number | null {
  if (ms === null) return null;
  if (!Number.isFinite(ms) || ms <= 0) throw new RangeError('auto-lock timeout must be positive or null');
  return ms;
}

export class AutoLock {
  private timeoutMs: number | null;
  private readonly clock: () => number;
  private readonly timers: AutoLockTimers;
  private lastActivity: number;
  private handle: unknown;
  private disposed = false;
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly vault: Vault,
    options: AutoLockOptions = { timeoutMs: DEFAULT_AUTO_LOCK_MS },
  ) {
    this.timeoutMs = checkTimeout(options.timeoutMs);
    this.clock = options.clock ?? Date.now;
    this.timers = options.timers ?? realTimers;
    this.lastActivity = this.clock();
    this.unsubscribe = [
      vault.onUnlocked(() => {
        this.lastActivity = this.clock();
        this.arm();
      }),
      vault.onLocked(() => this.disarm()),
    ];
    if (vault.state === 'unlocked') this.arm();
  }

  /** User activity: postpones the lock by a full timeout. */
  touch(): void {
    this.lastActivity = this.clock();
  }

  setTimeoutMs(ms: number | null): void {
    this.timeoutMs = checkTimeout(ms);
    this.disarm();
    if (this.vault.state === 'unlocked') this.arm();
  }

  get timeout(): number | null {
    return this.timeoutMs;
  }

  dispose(): void {
    this.disposed = true;
    this.disarm();
    for (const off of this.unsubscribe) off();
  }

  private arm(): void {
    this.disarm();
    if (this.disposed || this.timeoutMs === null) return;
    const remaining = this.lastActivity + this.timeoutMs - this.clock();
    this.handle = this.timers.setTimeout(() => this.fire(), Math.max(0, remaining));
  }

  private disarm(): void {
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  private fire(): void {
    this.handle = undefined;
    if (this.disposed || this.timeoutMs === null || this.vault.state !== 'unlocked') return;
    if (this.clock() - this.lastActivity >= this.timeoutMs) {
      this.vault.lock('timer');
    } else {
      this.arm();
    }
  }
}

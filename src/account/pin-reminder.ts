/**
 * PIN reminders at growing intervals (seed article 004): 12 h, 1 d, 3 d, 7 d, 14 d. A right answer moves
 * one step up (longer), a wrong answer one step down (shorter), so a PIN the user is forgetting is asked
 * for more often. The clock is injectable for tests.
 *
 * Persisted in `account_kv` under `pin.reminder`: only libsignal's local PIN hash (argon2, PHC string),
 * the step and the times — never the PIN.
 */
import { z } from 'zod';
import { PreconditionError } from '../errors.js';
import { log } from '../log.js';
import type { AccountKv } from './account-kv.js';
import { localPinHash, verifyLocalPin } from './pin.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const PIN_REMINDER_INTERVALS_MS: readonly number[] = [12 * HOUR, DAY, 3 * DAY, 7 * DAY, 14 * DAY];

const KEY = 'pin.reminder';

const stateSchema = z
  .object({
    localHash: z.string().min(1).max(1024),
    step: z
      .number()
      .int()
      .min(0)
      .max(PIN_REMINDER_INTERVALS_MS.length - 1),
    nextDueAt: z.number().finite(),
    remindersEnabled: z.boolean(),
    strengthBits: z.number().min(0).max(10_000),
    setAt: z.number().finite(),
  })
  .strict();
type ReminderState = z.infer<typeof stateSchema>;

export interface PinReminderStatus {
  readonly pinSet: boolean;
  readonly remindersEnabled: boolean;
  readonly due: boolean;
  readonly nextDueAt?: number;
  readonly intervalMs?: number;
  /** The strength estimate recorded when the PIN was set (for the hardening audit). */
  readonly strengthBits?: number;
}

export interface ReminderAnswer {
  readonly correct: boolean;
  readonly intervalMs: number;
  readonly nextDueAt: number;
}

export class PinReminder {
  private readonly now: () => number;

  constructor(
    private readonly kv: AccountKv,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Record a new (or changed) PIN: local hash only; the first reminder comes after 12 h. */
  setPin(pin: string, strengthBits: number): void {
    const now = this.now();
    const state: ReminderState = {
      localHash: localPinHash(pin),
      step: 0,
      nextDueAt: now + PIN_REMINDER_INTERVALS_MS[0]!,
      remindersEnabled: this.read()?.remindersEnabled ?? true,
      strengthBits,
      setAt: now,
    };
    this.kv.setJson(KEY, state);
  }

  /** Forget the PIN (the user disabled it). */
  clearPin(): void {
    this.kv.delete(KEY);
  }

  setRemindersEnabled(enabled: boolean): void {
    const state = this.read();
    if (!state) throw new PreconditionError('No PIN is set.');
    this.kv.setJson(KEY, { ...state, remindersEnabled: enabled });
  }

  status(): PinReminderStatus {
    const state = this.read();
    if (!state) return { pinSet: false, remindersEnabled: false, due: false };
    return {
      pinSet: true,
      remindersEnabled: state.remindersEnabled,
      due: state.remindersEnabled && this.now() >= state.nextDueAt,
      nextDueAt: state.nextDueAt,
      intervalMs: PIN_REMINDER_INTERVALS_MS[state.step]!,
      strengthBits: state.strengthBits,
    };
  }

  isDue(): boolean {
    return this.status().due;
  }

  /** Check the user's answer to a reminder and reschedule: right → longer interval, wrong → shorter. */
  answer(pin: string): ReminderAnswer {
    const state = this.read();
    if (!state) throw new PreconditionError('No PIN is set.');
    const correct = verifyLocalPin(state.localHash, pin);
    const last = PIN_REMINDER_INTERVALS_MS.length - 1;
    const step = correct ? Math.min(last, state.step + 1) : Math.max(0, state.step - 1);
    const intervalMs = PIN_REMINDER_INTERVALS_MS[step]!;
    const nextDueAt = this.now() + intervalMs;
    this.kv.setJson(KEY, { ...state, step, nextDueAt });
    log.info('pin.reminder_answered', { correct, step });
    return { correct, intervalMs, nextDueAt };
  }

  private read(): ReminderState | undefined {
    return this.kv.getJson(KEY, stateSchema);
  }
}

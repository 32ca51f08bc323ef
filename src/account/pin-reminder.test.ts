import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PreconditionError } from '../errors.js';
import { createTestDb, type TestDb } from '../test-support/db.js';
import { AccountKv } from './account-kv.js';
import { PIN_REMINDER_INTERVALS_MS, PinReminder } from './pin-reminder.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PIN = 'Reminder-Pin-Marker-4417';

describe('PinReminder', () => {
  let temp: TestDb;
  let now: number;
  const clock = () => now;

  beforeEach(() => {
    temp = createTestDb();
    now = Date.UTC(2026, 0, 1);
  });
  afterEach(() => temp.dispose());

  it('uses the intervals 12 h, 1 d, 3 d, 7 d, 14 d', () => {
    expect(PIN_REMINDER_INTERVALS_MS).toEqual([12 * HOUR, DAY, 3 * DAY, 7 * DAY, 14 * DAY]);
  });

  it('walks 12h → 1d → 3d → 7d → 14d on right answers, stays at 14d, and a wrong answer shortens', () => {
    const reminder = new PinReminder(new AccountKv(temp.db), { now: clock });
    expect(reminder.status()).toMatchObject({ pinSet: false, due: false });
    reminder.setPin(PIN, 120);
    expect(reminder.status()).toMatchObject({
      pinSet: true,
      due: false,
      intervalMs: 12 * HOUR,
      strengthBits: 120,
    });

    now += 12 * HOUR - 1;
    expect(reminder.isDue()).toBe(false);
    now += 1;
    expect(reminder.isDue()).toBe(true);

    const walked: number[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = reminder.answer(PIN);
      expect(answer.correct).toBe(true);
      expect(answer.nextDueAt).toBe(now + answer.intervalMs);
      walked.push(answer.intervalMs);
      now = answer.nextDueAt;
    }
    expect(walked).toEqual([DAY, 3 * DAY, 7 * DAY, 14 * DAY, 14 * DAY]);

    const wrong = reminder.answer('Not-The-Pin');
    expect(wrong.correct).toBe(false);
    expect(wrong.intervalMs).toBe(7 * DAY);
    expect(reminder.answer('still wrong').intervalMs).toBe(3 * DAY);
    expect(reminder.answer(PIN).intervalMs).toBe(7 * DAY);
  });

  it('persists across a restart, can be disabled, and stores only the local hash', () => {
    const reminder = new PinReminder(new AccountKv(temp.db), { now: clock });
    reminder.setPin(PIN, 140);
    now += 12 * HOUR;
    reminder.answer(PIN); // → 1 d
    const row = temp.db.prepare("SELECT value FROM account_kv WHERE key = 'pin.reminder'").get() as {
      value: string;
    };
    expect(row.value).not.toContain(PIN);
    expect(row.value).toContain('$argon2');

    const reopened = new PinReminder(new AccountKv(temp.reopen()), { now: clock });
    expect(reopened.status()).toMatchObject({ pinSet: true, intervalMs: DAY, nextDueAt: now + DAY });
    reopened.setRemindersEnabled(false);
    now += 30 * DAY;
    expect(reopened.isDue()).toBe(false);
    reopened.setRemindersEnabled(true);
    expect(reopened.isDue()).toBe(true);
    reopened.clearPin();
    expect(reopened.status().pinSet).toBe(false);
    expect(() => reopened.answer(PIN)).toThrow(PreconditionError);

    temp.close();
    expect(readFileSync(temp.path).includes(Buffer.from(PIN))).toBe(false);
  });

  it('treats a corrupted state row as "no PIN" instead of crashing', () => {
    temp.db
      .prepare("INSERT INTO account_kv (key, value, updated_at) VALUES ('pin.reminder', '{broken', 0)")
      .run();
    const reminder = new PinReminder(new AccountKv(temp.db), { now: clock });
    expect(reminder.status().pinSet).toBe(false);
  });
});

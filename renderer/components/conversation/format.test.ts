import { describe, expect, it } from 'vitest';
import { compactTime, dayLabel, fullDateTime, sameDay } from './format.js';

// Local-time instants, so the test holds in any time zone.
const at = (y: number, m: number, d: number, h = 12, min = 0) => new Date(y, m - 1, d, h, min).getTime();
const NOW = at(2026, 12, 1, 9, 30); // a Tuesday

describe('timeline dates (day separators and compact times)', () => {
  it('names today and yesterday, in the locale', () => {
    expect(dayLabel(at(2026, 12, 1, 0, 5), NOW, 'en')).toBe('Today');
    expect(dayLabel(at(2026, 11, 30, 23, 59), NOW, 'en')).toBe('Yesterday');
    expect(dayLabel(at(2026, 11, 30), NOW, 'de')).toBe('Gestern');
  });

  it('names the weekday within the last week, then the date (with the year only when it differs)', () => {
    expect(dayLabel(at(2026, 11, 27), NOW, 'en')).toBe('Friday');
    expect(dayLabel(at(2026, 11, 25), NOW, 'en')).toBe('Wednesday');
    expect(dayLabel(at(2026, 11, 24), NOW, 'en')).toBe('Tue, Nov 24');
    expect(dayLabel(at(2025, 6, 3), NOW, 'en')).toBe('Tue, Jun 3, 2025');
  });

  it('keeps a message time compact and the full one for the tooltip', () => {
    expect(compactTime(at(2026, 12, 1, 14, 7), 'en-GB')).toBe('14:07');
    // ICU versions differ in spaces and commas: assert the parts.
    expect(compactTime(at(2026, 12, 1, 14, 7), 'en-US')).toMatch(/^2:07\sPM$/);
    expect(fullDateTime(at(2026, 12, 1, 14, 7), 'en-GB')).toMatch(/^Tuesday,? 1 December 2026 at 14:07$/);
  });

  it('compares local calendar days', () => {
    expect(sameDay(at(2026, 12, 1, 0, 1), at(2026, 12, 1, 23, 59))).toBe(true);
    expect(sameDay(at(2026, 11, 30, 23, 59), at(2026, 12, 1, 0, 1))).toBe(false);
  });
});

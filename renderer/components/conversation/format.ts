/**
 * Dates and times in the timeline, as Signal shows them: a day separator ("Today", "Yesterday", a weekday
 * within the last week, else the date) and a compact time on each message; the full date and time in a
 * tooltip. Localised with Intl in the user's locale; `now` and `locale` are parameters so tests are exact.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

function startOfDay(at: number): number {
  const day = new Date(at);
  day.setHours(0, 0, 0, 0);
  return day.getTime();
}

/** Both instants fall on the same local calendar day. */
export function sameDay(a: number, b: number): boolean {
  return startOfDay(a) === startOfDay(b);
}

/** Whole local calendar days from `at` to `now` (0 = today; DST-safe by rounding). */
function daysAgo(at: number, now: number): number {
  return Math.round((startOfDay(now) - startOfDay(at)) / DAY_MS);
}

/** The day separator's text: Today, Yesterday, a weekday (up to 6 days back), else the date. */
export function dayLabel(at: number, now = Date.now(), locale?: string): string {
  const days = daysAgo(at, now);
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  if (days === 0 || days === 1) return capitalise(relative.format(-days, 'day'), locale);
  if (days > 1 && days < 7) return new Intl.DateTimeFormat(locale, { weekday: 'long' }).format(at);
  const sameYear = new Date(at).getFullYear() === new Date(now).getFullYear();
  return new Intl.DateTimeFormat(locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(at);
}

function capitalise(text: string, locale: string | undefined): string {
  return text.charAt(0).toLocaleUpperCase(locale) + text.slice(1);
}

/** The time on a message (hours and minutes; the separator above it says the day). */
export function compactTime(at: number, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { timeStyle: 'short' }).format(at);
}

/** Date and time in full, for the tooltip and for screen readers. */
export function fullDateTime(at: number, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short' }).format(at);
}

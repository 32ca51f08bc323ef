import { dayLabel, fullDateTime } from './format.js';

/**
 * "Today", "Yesterday", a weekday or a date above the first message of a day. A heading, so a screen
 * reader can jump from day to day in a long chat.
 */
export function DaySeparator({ at }: { at: number }) {
  return (
    <h3 className="day-separator">
      <span title={fullDateTime(at)}>{dayLabel(at)}</span>
    </h3>
  );
}

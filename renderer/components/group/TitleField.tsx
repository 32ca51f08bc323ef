import { useId } from 'react';

/** Signal's limit for a group's name, in characters (code points, as the core counts). */
export const GROUP_TITLE_MAX = 32;

export function titleLength(title: string): number {
  return Array.from(title).length;
}

/** The group name input with its live "n of 32" counter; longer input is cut at the limit. */
export function TitleField({
  value,
  onChange,
  label = 'Group name',
  invalid = false,
}: {
  value: string;
  onChange: (title: string) => void;
  label?: string;
  invalid?: boolean;
}) {
  const ids = { input: useId(), counter: useId() };
  const length = titleLength(value);
  return (
    <div className="title-field">
      <label htmlFor={ids.input}>{label}</label>
      <input
        id={ids.input}
        type="text"
        autoComplete="off"
        required
        value={value}
        aria-describedby={ids.counter}
        aria-invalid={invalid ? true : undefined}
        onChange={(e) => onChange(Array.from(e.target.value).slice(0, GROUP_TITLE_MAX).join(''))}
      />
      <span className="muted counter" id={ids.counter}>
        {length} of {GROUP_TITLE_MAX} characters
      </span>
    </div>
  );
}

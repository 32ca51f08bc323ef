import { useId } from 'react';
import { GROUP_TITLE_MAX_CHARS } from '../../../src/api/contract.js';

/**
 * The group name input with its live "n of 32" counter (Signal's limit, in characters as the core counts
 * them: code points); longer input is cut at the limit.
 */
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
  const length = Array.from(value).length;
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
        onChange={(e) => onChange(Array.from(e.target.value).slice(0, GROUP_TITLE_MAX_CHARS).join(''))}
      />
      <span className="muted counter" id={ids.counter}>
        {length} of {GROUP_TITLE_MAX_CHARS} characters
      </span>
    </div>
  );
}

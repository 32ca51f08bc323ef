import { useId } from 'react';
import {
  DISAPPEARING_TIMER_SECONDS,
  durationLabel,
  type ApiError,
  type Conversation,
} from '../../../src/api/contract.js';
import { getApi } from '../../bridge.js';
import { upsertConversation, useStore } from '../../store.js';

/**
 * A chat's disappearing-messages timer (the chat header's and a group's settings): "Default (…)" or a
 * value; the core synchronises it (a group change in a group). `onError` gets the refusal, or null.
 */
export function TimerControl({
  conversation,
  onError,
}: {
  conversation: Conversation;
  onError: (error: ApiError | null) => void;
}) {
  const defaultTimer = useStore((s) => s.settings?.disappearingDefaultSeconds ?? 0);
  const timerId = useId();

  const setTimer = async (value: string) => {
    onError(null);
    const seconds = value === 'default' ? null : Number(value);
    const result = await getApi().conversation.setDisappearingTimer({
      conversationId: conversation.id,
      seconds: seconds as (typeof DISAPPEARING_TIMER_SECONDS)[number] | null,
    });
    if (result.ok) upsertConversation(result.value);
    else onError(result.error);
  };

  return (
    <>
      {/* In a small window the words give way to a timer icon (they stay the select's accessible name). */}
      <label htmlFor={timerId} className="timer-label">
        <span className="timer-label-text">Disappearing messages</span>
        <svg viewBox="0 0 16 16" width="18" height="18" aria-hidden="true" focusable="false">
          <circle cx="8" cy="9" r="6" className="tick-ring" />
          <path d="M8 5.5V9l2.2 1.4M6.5 1.8h3" className="tick-check" />
        </svg>
      </label>
      <select
        id={timerId}
        value={conversation.expireTimerSeconds === null ? 'default' : String(conversation.expireTimerSeconds)}
        onChange={(e) => void setTimer(e.target.value)}
      >
        <option value="default">Default ({durationLabel(defaultTimer)})</option>
        {DISAPPEARING_TIMER_SECONDS.map((s) => (
          <option key={s} value={String(s)}>
            {durationLabel(s)}
          </option>
        ))}
      </select>
    </>
  );
}

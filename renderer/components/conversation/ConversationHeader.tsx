import { useId, useState } from 'react';
import {
  DISAPPEARING_TIMER_SECONDS,
  durationLabel,
  type ApiError,
  type Conversation,
} from '../../../src/api/contract.js';
import { getApi, navigate } from '../../bridge.js';
import { RemoveContactAction } from '../../screens/RemoveContact.js';
import { upsertConversation, useStore } from '../../store.js';
import { ErrorText } from '../ErrorText.js';
import { contactHandle } from './handle.js';

/**
 * The chat header: who this is (name; verified; typing) and the per-chat controls. "Remove contact…" only
 * for someone in our contacts (not a request, not a stranger we never added).
 */
export function ConversationHeader({ conversation }: { conversation: Conversation }) {
  const typing = useStore((s) => s.typing[conversation.id] === true);
  const defaultTimer = useStore((s) => s.settings?.disappearingDefaultSeconds ?? 0);
  const [error, setError] = useState<ApiError | null>(null);
  const timerId = useId();
  const handle = contactHandle(conversation);

  const setTimer = async (value: string) => {
    setError(null);
    const seconds = value === 'default' ? null : Number(value);
    const result = await getApi().conversation.setDisappearingTimer({
      conversationId: conversation.id,
      seconds: seconds as (typeof DISAPPEARING_TIMER_SECONDS)[number] | null,
    });
    if (result.ok) upsertConversation(result.value);
    else setError(result.error);
  };

  return (
    <div className="conversation-header">
      <div className="conversation-title">
        <h2>{conversation.title}</h2>
        {handle ? (
          <span className="conversation-handle muted" data-testid="conversation-handle">
            {handle}
          </span>
        ) : null}
        {conversation.verified === 'verified' || conversation.blocked ? (
          <span className="conversation-detail muted">
            {conversation.verified === 'verified' ? 'Safety number verified' : ''}
            {conversation.verified === 'verified' && conversation.blocked ? ' · ' : ''}
            {conversation.blocked ? 'Blocked' : ''}
          </span>
        ) : null}
        <span className="typing muted" role="status" aria-label="Typing indicator">
          {typing ? `${conversation.title} is typing…` : ''}
        </span>
      </div>
      <div className="header-controls">
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
          value={
            conversation.expireTimerSeconds === null ? 'default' : String(conversation.expireTimerSeconds)
          }
          onChange={(e) => void setTimer(e.target.value)}
        >
          <option value="default">Default ({durationLabel(defaultTimer)})</option>
          {DISAPPEARING_TIMER_SECONDS.map((s) => (
            <option key={s} value={String(s)}>
              {durationLabel(s)}
            </option>
          ))}
        </select>
        <button
          type="button"
          onClick={() => navigate({ name: 'safety-number', conversationId: conversation.id })}
        >
          Safety number
        </button>
        {/* Keyed: another conversation gets a fresh (closed) dialog. */}
        {conversation.isContact ? (
          <RemoveContactAction key={conversation.id} conversation={conversation} />
        ) : null}
      </div>
      <ErrorText error={error} />
    </div>
  );
}

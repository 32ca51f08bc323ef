import { useId, useMemo, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ApiError } from '../../src/api/contract.js';
import { getApi, openConversation } from '../bridge.js';
import { ErrorText } from '../components/ErrorText.js';
import { sortConversations, upsertConversation, useStore } from '../store.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function ConversationList() {
  const { conversations, openId } = useStore(
    useShallow((s) => ({ conversations: s.conversations, openId: s.openId })),
  );
  const list = useMemo(() => sortConversations(conversations), [conversations]);
  const [number, setNumber] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const inputId = useId();
  const nameId = useId();

  const start = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const value = number.trim();
    const label = name.trim();
    const result = await getApi().conversations.start(
      UUID.test(value) ? { serviceId: value, ...(label ? { name: label } : {}) } : { e164: value },
    );
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setNumber('');
    setName('');
    upsertConversation(result.value);
    await openConversation(result.value.id);
  };

  return (
    <aside className="sidebar" aria-label="Conversations">
      <form className="new-chat" onSubmit={(e) => void start(e)}>
        <label htmlFor={inputId}>New chat (phone number or Signal ID)</label>
        <div className="row">
          <input
            id={inputId}
            type="text"
            autoComplete="off"
            spellCheck={false}
            placeholder="+15551234567"
            value={number}
            onChange={(e) => setNumber(e.target.value)}
          />
        </div>
        <label htmlFor={nameId}>Name (optional, kept only on this computer)</label>
        <div className="row">
          <input id={nameId} type="text" value={name} onChange={(e) => setName(e.target.value)} />
          <button type="submit" disabled={!number.trim()}>
            Start
          </button>
        </div>
        <ErrorText error={error} />
      </form>
      {list.length === 0 ? <p className="muted empty">No conversations yet.</p> : null}
      <ul className="conversation-list">
        {list.map((c) => (
          <li key={c.id}>
            <button
              type="button"
              className={c.id === openId ? 'conversation active' : 'conversation'}
              aria-current={c.id === openId ? 'true' : undefined}
              onClick={() => void openConversation(c.id)}
            >
              <span className="conversation-title">
                {c.title}
                {c.verified === 'verified' ? (
                  <span className="verified" aria-label="verified">
                    {' '}
                    ✓
                  </span>
                ) : null}
              </span>
              {c.unreadCount > 0 ? (
                <span className="unread" aria-label={`${c.unreadCount} unread`}>
                  {c.unreadCount}
                </span>
              ) : null}
              {!c.isContact && !c.isRequest ? <span className="muted not-contact">Not a contact</span> : null}
              <span className="preview">
                {c.safetyNumberChanged ? 'Safety number changed' : (c.lastMessagePreview ?? '')}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}

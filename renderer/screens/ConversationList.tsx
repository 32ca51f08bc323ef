import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { openConversation } from '../bridge.js';
import { sortConversations, useStore } from '../store.js';
import { NewChat } from './NewChat.js';

export function ConversationList() {
  const { conversations, openId } = useStore(
    useShallow((s) => ({ conversations: s.conversations, openId: s.openId })),
  );
  const list = useMemo(() => sortConversations(conversations), [conversations]);

  return (
    <aside className="sidebar" aria-label="Conversations">
      <NewChat />
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

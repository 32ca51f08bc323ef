import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ConversationListItem } from '../components/conversation/ConversationListItem.js';
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
          <ConversationListItem key={c.id} conversation={c} active={c.id === openId} />
        ))}
      </ul>
    </aside>
  );
}

import { useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ConversationListItem } from '../components/conversation/ConversationListItem.js';
import { sortConversations, useStore } from '../store.js';
import { NewChat } from './NewChat.js';

/**
 * Chats rendered at first, and added each time the list is scrolled near its end. Rendering every row of
 * a long list at unlock grew with the number of chats (1,000 took ≈ 0.8 s more than 10 before the list
 * showed); a screenful or two is what the user sees.
 */
const LIST_STEP = 50;
/** How far below the visible end of the sidebar the next rows are already added (no blank while scrolling). */
const AHEAD = '600px';

export function ConversationList() {
  const { conversations, openId } = useStore(
    useShallow((s) => ({ conversations: s.conversations, openId: s.openId })),
  );
  const list = useMemo(() => sortConversations(conversations), [conversations]);
  const [shown, setShown] = useState(LIST_STEP);
  const sidebar = useRef<HTMLElement>(null);
  const end = useRef<HTMLDivElement>(null);
  const more = list.length > shown;

  // While the end of the rendered rows is near (or in) view, add the next step; re-armed after each one,
  // so a tall window fills up.
  useEffect(() => {
    const marker = end.current;
    if (!more || !marker) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) setShown((n) => n + LIST_STEP);
      },
      { root: sidebar.current, rootMargin: `0px 0px ${AHEAD} 0px` },
    );
    observer.observe(marker);
    return () => observer.disconnect();
  }, [more, shown]);

  return (
    <aside className="sidebar" aria-label="Conversations" ref={sidebar}>
      <NewChat />
      {list.length === 0 ? <p className="muted empty">No conversations yet.</p> : null}
      <ul className="conversation-list">
        {list.slice(0, shown).map((c) => (
          <ConversationListItem key={c.id} conversation={c} active={c.id === openId} />
        ))}
      </ul>
      {more ? <div ref={end} className="list-end" aria-hidden="true" /> : null}
    </aside>
  );
}

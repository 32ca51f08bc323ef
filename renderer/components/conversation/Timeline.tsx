import { useEffect, useEffectEvent, useLayoutEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useShallow } from 'zustand/react/shallow';
import type { Conversation } from '../../../src/api/contract.js';
import { loadOlder } from '../../bridge.js';
import { useStore } from '../../store.js';
import { EncryptionNotice } from './EncryptionNotice.js';
import { MessageItem } from './MessageItem.js';

/**
 * The open chat's messages, virtualised (a chat may hold thousands). Opens at the newest message, follows
 * new ones while the user is at the bottom, loads older pages when scrolled near the top.
 */
export function Timeline({ conversation }: { conversation: Conversation }) {
  const { messages, nextCursor, total } = useStore(
    useShallow((s) => ({ messages: s.messages, nextCursor: s.nextCursor, total: s.total })),
  );
  const parentRef = useRef<HTMLDivElement>(null);
  const innerRef = useRef<HTMLDivElement>(null);
  const lastScrollHeight = useRef(0);
  const stickToBottom = useRef(true);

  // React Compiler skips this component (TanStack Virtual returns unmemoizable functions); we do not run the
  // compiler, and nothing here relies on memoization.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => parentRef.current,
    estimateSize: () => 64,
    overscan: 10,
    getItemKey: (index) => messages[index]?.id ?? index,
  });

  const scrollToNewest = useEffectEvent(() => {
    if (messages.length > 0) virtualizer.scrollToIndex(messages.length - 1, { align: 'end' });
  });

  // Open at the newest message.
  useLayoutEffect(() => {
    stickToBottom.current = true;
    scrollToNewest();
  }, [conversation.id]);

  // Follow new messages while the user is at the bottom.
  const lastId = messages[messages.length - 1]?.id;
  useEffect(() => {
    if (stickToBottom.current) scrollToNewest();
  }, [lastId]);

  // Images (and previews) load after the rows were placed: while the user is at the bottom, keep the
  // newest message in view as the content grows, or the chat opens with its last messages below the fold.
  useEffect(() => {
    const inner = innerRef.current;
    if (!inner) return;
    const observer = new ResizeObserver(() => {
      const el = parentRef.current;
      if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(inner);
    return () => observer.disconnect();
  }, []);

  const onScroll = () => {
    const el = parentRef.current;
    if (!el) return;
    // A scroll that comes with a change of content height is layout (rows measured, images loaded), not
    // the user: it must not unpin the view from the newest message.
    if (el.scrollHeight === lastScrollHeight.current)
      stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    lastScrollHeight.current = el.scrollHeight;
    if (el.scrollTop < 300 && nextCursor) {
      void loadOlder().then((added) => {
        if (added > 0) virtualizer.scrollToIndex(added, { align: 'start' });
      });
    }
  };

  return (
    <div
      className="timeline"
      ref={parentRef}
      onScroll={onScroll}
      role="log"
      aria-label={`Messages with ${conversation.title}`}
      tabIndex={0}
      data-total={total}
    >
      {nextCursor ? (
        <p className="muted older">Scroll up for older messages</p>
      ) : (
        <EncryptionNotice conversation={conversation} />
      )}
      <div className="timeline-inner" ref={innerRef} style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((item) => {
          const message = messages[item.index];
          if (!message) return null;
          return (
            <div
              key={item.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              className="timeline-row"
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <MessageItem message={message} previous={messages[item.index - 1]} />
            </div>
          );
        })}
      </div>
    </div>
  );
}

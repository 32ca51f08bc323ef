import { useEffect, useEffectEvent, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useShallow } from 'zustand/react/shallow';
import type { ApiError, Conversation, Message } from '../../../src/api/contract.js';
import { loadNewer, loadOlder, openConversation } from '../../bridge.js';
import { useStore } from '../../store.js';
import { ErrorText } from '../ErrorText.js';
import { react, resend, showAround } from './actions.js';
import type { ComposerMode } from './ComposerMode.js';
import { DeleteDialog } from './DeleteDialog.js';
import { EncryptionNotice } from './EncryptionNotice.js';
import { GroupDialog } from '../group/GroupDialog.js';
import { MessageDetails } from '../group/MessageDetails.js';
import { MessageItem } from './MessageItem.js';

const MOVE_KEYS: Record<string, (at: number, last: number) => number> = {
  ArrowUp: (at) => at - 1,
  ArrowDown: (at) => at + 1,
  Home: () => 0,
  End: (_, last) => last,
};

/** A row's height before it is measured (a one-line bubble). */
const ROW_ESTIMATE = 64;

interface TimelineProps {
  conversation: Conversation;
  onCompose: (mode: ComposerMode) => void;
}

/**
 * The open chat's messages, virtualised (a chat may hold thousands). Opens at the newest message, follows
 * new ones while the user is at the bottom, pages older (and newer, after a jump) on scrolling. Keyboard:
 * arrow keys move between messages; Enter, the context-menu key or Shift+F10 opens a message's actions.
 * One instance per chat (keyed): a new chat starts from its own end, not from the scroll position and
 * row measurements of the chat open before it.
 */
export function Timeline(props: TimelineProps) {
  return <ChatTimeline key={props.conversation.id} {...props} />;
}

function ChatTimeline({ conversation, onCompose }: TimelineProps) {
  const { messages, nextCursor, newerCursor, total } = useStore(
    useShallow((s) => ({
      messages: s.messages,
      nextCursor: s.nextCursor,
      newerCursor: s.newerCursor,
      total: s.total,
    })),
  );
  const parentRef = useRef<HTMLDivElement>(null);
  const innerRef = useRef<HTMLDivElement>(null);
  const lastScrollHeight = useRef(0);
  const stickToBottom = useRef(true);
  const pendingJump = useRef<string | null>(null);
  const [menu, setMenu] = useState<{ id: string; placeAbove: boolean } | null>(null);
  const [deleting, setDeleting] = useState<Message | null>(null);
  const [details, setDetails] = useState<Message | null>(null);
  const [highlight, setHighlight] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [notFound, setNotFound] = useState(false);

  // React Compiler skips this component (TanStack Virtual returns unmemoizable functions); we do not run the
  // compiler, and nothing here relies on memoization.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => parentRef.current,
    estimateSize: () => ROW_ESTIMATE,
    // The first render lays out the rows at the bottom (the newest): starting from the top, a long chat
    // first rendered its oldest loaded rows and only a scroll event later the ones on screen.
    initialOffset: () => Math.max(0, messages.length * ROW_ESTIMATE - window.innerHeight),
    overscan: 10,
    getItemKey: (index) => messages[index]?.id ?? index,
  });

  const scrollToNewest = useEffectEvent(() => {
    if (messages.length > 0) virtualizer.scrollToIndex(messages.length - 1, { align: 'end' });
  });

  const messageElement = (id: string) =>
    parentRef.current?.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(id)}"]`) ?? null;

  // Open at the newest message.
  useLayoutEffect(() => {
    stickToBottom.current = true;
    scrollToNewest();
  }, [conversation.id]);

  // Follow new messages while the user is at the bottom; a message we send always brings us there.
  const last = messages[messages.length - 1];
  const lastId = last?.id;
  const lastIsOurs = last?.direction === 'out';
  useEffect(() => {
    if (lastIsOurs) stickToBottom.current = true;
    if (stickToBottom.current && newerCursor === null) scrollToNewest();
  }, [lastId, lastIsOurs, newerCursor]);

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

  // A jump lands once its message is loaded: scroll to it, focus and highlight it.
  const land = (id: string) => {
    const index = useStore.getState().messages.findIndex((m) => m.id === id);
    if (index < 0) return;
    pendingJump.current = null;
    stickToBottom.current = false;
    virtualizer.scrollToIndex(index, { align: 'center' });
    setHighlight(id);
    requestAnimationFrame(() => messageElement(id)?.focus({ preventScroll: true }));
  };
  const landPending = useEffectEvent(() => {
    if (pendingJump.current) land(pendingJump.current);
  });
  useEffect(() => landPending(), [messages]);

  const jumpTo = async (messageId: string) => {
    setNotFound(false);
    pendingJump.current = messageId;
    if (messages.some((m) => m.id === messageId)) return land(messageId);
    const failure = await showAround(messageId);
    if (failure) {
      pendingJump.current = null;
      if (failure.code === 'NOT_FOUND') setNotFound(true);
      else setError(failure);
    }
  };

  const onScroll = () => {
    const el = parentRef.current;
    if (!el) return;
    // A scroll that comes with a change of content height is layout (rows measured, images loaded), not
    // the user: it must not unpin the view from the newest message.
    const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
    if (el.scrollHeight === lastScrollHeight.current) stickToBottom.current = fromBottom < 80 && !newerCursor;
    lastScrollHeight.current = el.scrollHeight;
    if (el.scrollTop < 300 && nextCursor) {
      void loadOlder().then((added) => {
        if (added > 0) virtualizer.scrollToIndex(added, { align: 'start' });
      });
    }
    if (fromBottom < 300 && newerCursor) void loadNewer();
  };

  const openMenu = (id: string) => {
    const el = messageElement(id);
    const view = parentRef.current?.getBoundingClientRect();
    const row = el?.getBoundingClientRect();
    // Low in the view, the menu opens upwards so it is not cut off by the timeline's edge.
    const placeAbove = Boolean(view && row && row.top - view.top > view.height / 2);
    setMenu({ id, placeAbove });
  };

  const closeMenu = (refocus: boolean) => {
    const id = menu?.id;
    setMenu(null);
    if (refocus && id) messageElement(id)?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const target = event.target as HTMLElement;
    const current = target.closest<HTMLElement>('[data-message-id]');
    const onMessage = current !== null && target === current;
    const move = MOVE_KEYS[event.key];
    if (move && (onMessage || target === parentRef.current)) {
      const items = Array.from(parentRef.current?.querySelectorAll<HTMLElement>('[data-message-id]') ?? []);
      if (items.length === 0) return;
      event.preventDefault();
      const at = current ? items.indexOf(current) : items.length;
      const next = items[Math.max(0, Math.min(items.length - 1, move(at, items.length - 1)))];
      next?.focus({ preventScroll: true });
      next?.scrollIntoView({ block: 'nearest' });
      return;
    }
    const opens =
      event.key === 'Enter' || event.key === 'ContextMenu' || (event.key === 'F10' && event.shiftKey);
    if (opens && onMessage && current.classList.contains('timeline-message')) {
      event.preventDefault();
      openMenu(current.dataset.messageId ?? '');
    }
  };

  const closeDetails = () => {
    const id = details?.id;
    setDetails(null);
    requestAnimationFrame(() => ((id ? messageElement(id) : null) ?? parentRef.current)?.focus());
  };

  const handlersFor = (message: Message) => ({
    onOpenMenu: () => openMenu(message.id),
    onJump: (id: string) => void jumpTo(id),
    onClose: closeMenu,
    onReact: (emoji: string, remove: boolean) => {
      closeMenu(true);
      setError(null);
      void react(message, emoji, remove).then(setError);
    },
    onReply: () => {
      setMenu(null);
      onCompose({ kind: 'reply', message });
    },
    onEdit: () => {
      setMenu(null);
      onCompose({ kind: 'edit', message });
    },
    onDelete: () => {
      setMenu(null);
      setDeleting(message);
    },
    onDetails: () => {
      setMenu(null);
      setDetails(message);
    },
    onResend: () => {
      closeMenu(true);
      setError(null);
      void resend(message).then(setError);
    },
  });

  return (
    <>
      <div
        className="timeline"
        ref={parentRef}
        onScroll={onScroll}
        onKeyDown={onKeyDown}
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
                className={menu?.id === message.id ? 'timeline-row menu-open' : 'timeline-row'}
                style={{ transform: `translateY(${item.start}px)` }}
              >
                <MessageItem
                  message={message}
                  previous={messages[item.index - 1]}
                  conversation={conversation}
                  highlighted={highlight === message.id}
                  menu={menu?.id === message.id ? { placeAbove: menu.placeAbove } : null}
                  handlers={handlersFor(message)}
                />
              </div>
            );
          })}
        </div>
      </div>
      <div className="timeline-status">
        {notFound ? (
          <p className="error" role="alert">
            Original message not found: it expired or was deleted.
          </p>
        ) : null}
        <ErrorText error={error} />
        {newerCursor ? (
          <button
            type="button"
            className="jump-newest"
            onClick={() => void openConversation(conversation.id)}
          >
            Go to the newest message
          </button>
        ) : null}
      </div>
      {details ? (
        <GroupDialog title="Message details" onClose={closeDetails}>
          <MessageDetails message={details} onClose={closeDetails} />
        </GroupDialog>
      ) : null}
      {deleting ? (
        <DeleteDialog
          message={deleting}
          conversation={conversation}
          onClose={() => {
            const id = deleting.id;
            setDeleting(null);
            requestAnimationFrame(() => (messageElement(id) ?? parentRef.current)?.focus());
          }}
        />
      ) : null}
    </>
  );
}

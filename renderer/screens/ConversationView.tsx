import { useEffect, useEffectEvent, useId, useLayoutEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useShallow } from 'zustand/react/shallow';
import {
  DISAPPEARING_TIMER_SECONDS,
  durationLabel,
  type ApiError,
  type Message,
} from '../../src/api/contract.js';
import { getApi, loadOlder, navigate } from '../bridge.js';
import { ErrorText } from '../components/ErrorText.js';
import { MessageAttachments } from '../components/Attachments.js';
import { MessagePreviewCard } from '../components/LinkPreview.js';
import { upsertConversation, useStore } from '../store.js';
import { Composer } from './Composer.js';
import { RemoveContactAction } from './RemoveContact.js';

const time = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'short' });

function MessageRow({ message }: { message: Message }) {
  if (message.kind !== 'text') {
    const text =
      message.kind === 'identity-changed'
        ? 'The safety number with this contact changed.'
        : message.kind === 'timer-changed'
          ? 'The disappearing-messages timer changed.'
          : 'A message could not be decrypted.';
    return <div className="timeline-event">{text}</div>;
  }
  return (
    <div className={`bubble ${message.direction}`}>
      <MessageAttachments message={message} />
      {message.body ? <p className="bubble-text">{message.body}</p> : null}
      <MessagePreviewCard message={message} />
      <span className="meta">
        {time.format(message.sentAt)}
        {message.direction === 'out' ? ` · ${message.status}` : ''}
        {message.expiresAt ? ' · disappearing' : ''}
      </span>
    </div>
  );
}

export function ConversationView() {
  const { openId, conversation, messages, nextCursor, total, defaultTimer, typing } = useStore(
    useShallow((s) => ({
      openId: s.openId,
      typing: s.openId ? s.typing[s.openId] === true : false,
      conversation: s.openId ? s.conversations[s.openId] : undefined,
      messages: s.messages,
      nextCursor: s.nextCursor,
      total: s.total,
      defaultTimer: s.settings?.disappearingDefaultSeconds ?? 0,
    })),
  );
  const parentRef = useRef<HTMLDivElement>(null);
  const innerRef = useRef<HTMLDivElement>(null);
  const lastScrollHeight = useRef(0);
  const stickToBottom = useRef(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [files, setFiles] = useState<File[]>([]);
  const [filesFor, setFilesFor] = useState(openId);
  const [dragging, setDragging] = useState(false);
  const timerId = useId();
  // Files chosen for one conversation are dropped when another opens (adjusted while rendering).
  if (filesFor !== openId) {
    setFilesFor(openId);
    setFiles([]);
  }

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
  }, [openId]);

  // Follow new messages while the user is at the bottom.
  const lastId = messages[messages.length - 1]?.id;
  useEffect(() => {
    if (stickToBottom.current) scrollToNewest();
  }, [lastId]);

  // Images (and previews) load after the rows were placed: while the user is at the bottom, keep the
  // newest message in view as the content grows, or the chat opens with its last messages below the fold.
  const conversationShown = Boolean(openId && conversation);
  useEffect(() => {
    const inner = innerRef.current;
    if (!inner) return;
    const observer = new ResizeObserver(() => {
      const el = parentRef.current;
      if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(inner);
    return () => observer.disconnect();
  }, [conversationShown]);

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

  if (!openId || !conversation) {
    return (
      <div className="placeholder">
        <p className="muted">Choose a conversation, or start a new chat with a phone number.</p>
      </div>
    );
  }

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

  const act = async (action: 'accept' | 'block' | 'unblock') => {
    setError(null);
    const api = getApi();
    const conversationId = conversation.id;
    const result =
      action === 'accept'
        ? await api.conversation.acceptRequest({ conversationId })
        : await api.conversation.setBlocked({ conversationId, blocked: action === 'block' });
    if (result.ok) upsertConversation(result.value);
    else setError(result.error);
  };

  const confirmIdentity = async () => {
    const result = await getApi().conversation.confirmIdentity({ conversationId: conversation.id });
    if (result.ok) upsertConversation(result.value);
    else setError(result.error);
  };

  return (
    <div
      className={dragging ? 'conversation-view dragging' : 'conversation-view'}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        const dropped = Array.from(e.dataTransfer.files);
        if (dropped.length > 0) setFiles((current) => [...current, ...dropped]);
      }}
    >
      <div className="conversation-header">
        <div className="conversation-title">
          <h2>{conversation.title}</h2>
          <span className="typing muted" role="status" aria-label="Typing indicator">
            {typing ? `${conversation.title} is typing…` : ''}
          </span>
        </div>
        <div className="header-controls">
          <label htmlFor={timerId}>Disappearing messages</label>
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
      </div>
      {!conversation.isContact && !conversation.isRequest && !conversation.blocked ? (
        <p className="muted not-contact" role="note">
          {conversation.title} is not in your contacts: your profile key is not shared with them. Writing to
          them shares it.
        </p>
      ) : null}
      {conversation.isRequest && !conversation.blocked ? (
        <div className="warning" role="region" aria-label="Message request">
          <p>
            {conversation.title} is not in your contacts. Until you accept, they get no delivery or read
            receipts and cannot see your profile.
          </p>
          <div className="row">
            <button type="button" onClick={() => void act('accept')}>
              Accept
            </button>
            <button type="button" onClick={() => void act('block')}>
              Block
            </button>
          </div>
        </div>
      ) : null}
      {conversation.blocked ? (
        <div className="warning" role="region" aria-label="Blocked">
          <p>You blocked {conversation.title}. Their messages are dropped.</p>
          <button type="button" onClick={() => void act('unblock')}>
            Unblock
          </button>
        </div>
      ) : null}
      {conversation.safetyNumberChanged ? (
        <div className="warning" role="alert">
          <p>
            The safety number with {conversation.title} has changed. This can mean they reinstalled Signal or
            changed devices — or that someone is intercepting. Verify it before you send anything sensitive.
          </p>
          <div className="row">
            <button
              type="button"
              onClick={() => navigate({ name: 'safety-number', conversationId: conversation.id })}
            >
              Verify safety number
            </button>
            <button type="button" onClick={() => void confirmIdentity()}>
              Accept the new safety number
            </button>
          </div>
        </div>
      ) : null}
      <ErrorText error={error} />
      <div
        className="timeline"
        ref={parentRef}
        onScroll={onScroll}
        role="log"
        aria-label={`Messages with ${conversation.title}`}
        tabIndex={0}
        data-total={total}
      >
        {nextCursor ? <p className="muted older">Scroll up for older messages</p> : null}
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
                <MessageRow message={message} />
              </div>
            );
          })}
        </div>
      </div>
      <Composer conversationId={conversation.id} files={files} setFiles={setFiles} />
    </div>
  );
}

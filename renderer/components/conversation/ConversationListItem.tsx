import { useRef, useState, type KeyboardEvent } from 'react';
import type { ApiError, Conversation } from '../../../src/api/contract.js';
import { openConversation } from '../../bridge.js';
import { ErrorText } from '../ErrorText.js';
import { GroupAvatar } from '../group/GroupAvatar.js';
import { groupOf } from '../group/group-api.js';
import { markRead, markUnread } from './actions.js';
import { listPreview } from './list-preview.js';

/**
 * One chat in the list: name, unread count (or a dot when marked unread), preview. Its context menu (right
 * click, the context-menu key or Shift+F10) marks it unread or read, as in Signal.
 */
export function ConversationListItem({
  conversation: c,
  active,
}: {
  conversation: Conversation;
  active: boolean;
}) {
  const [menu, setMenu] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  const unread = c.unreadCount > 0 || c.markedUnread;
  const group = groupOf(c);

  const close = (refocus: boolean) => {
    setMenu(false);
    if (refocus) button.current?.focus();
  };
  const toggleRead = async () => {
    close(true);
    setError(await (unread ? markRead(c.id) : markUnread(c.id)));
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ContextMenu' || (event.key === 'F10' && event.shiftKey)) {
      event.preventDefault();
      setMenu(true);
    }
  };

  return (
    <li>
      <button
        ref={button}
        type="button"
        className={active ? 'conversation active' : 'conversation'}
        aria-current={active ? 'true' : undefined}
        aria-keyshortcuts="ContextMenu Shift+F10"
        onClick={() => void openConversation(c.id)}
        onContextMenu={(e) => {
          e.preventDefault();
          setMenu(true);
        }}
        onKeyDown={onKeyDown}
      >
        <span className="conversation-title">
          {group ? <GroupAvatar id={c.id} title={c.title} /> : null}
          {c.title}
          {c.verified === 'verified' ? (
            <span className="verified">
              {' '}
              ✓<span className="visually-hidden"> verified</span>
            </span>
          ) : null}
        </span>
        {c.unreadCount > 0 ? (
          <span className="unread">
            <span aria-hidden="true">{c.unreadCount}</span>
            <span className="visually-hidden">{c.unreadCount} unread</span>
          </span>
        ) : c.markedUnread ? (
          <span className="unread marked">
            <span className="visually-hidden">Marked unread</span>
          </span>
        ) : null}
        {group?.membership === 'invited' ? (
          <span className="muted not-contact">Invitation to join</span>
        ) : !group && !c.isContact && !c.isRequest ? (
          <span className="muted not-contact">Not a contact</span>
        ) : null}
        <span className="preview">{listPreview(c)}</span>
      </button>
      {menu ? (
        <div
          className="list-menu"
          role="menu"
          aria-label={`Chat with ${c.title}`}
          onKeyDown={(e) => {
            if (e.key === 'Escape' || e.key === 'Tab') {
              e.preventDefault();
              close(true);
            }
          }}
          onBlur={(e) => {
            if (!e.currentTarget.contains(e.relatedTarget)) close(false);
          }}
        >
          <button type="button" role="menuitem" autoFocus onClick={() => void toggleRead()}>
            {unread ? 'Mark as read' : 'Mark as unread'}
          </button>
        </div>
      ) : null}
      <ErrorText error={error} />
    </li>
  );
}

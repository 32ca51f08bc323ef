import { durationLabel, type Conversation, type Message } from '../../../src/api/contract.js';
import { MessageAttachments } from '../Attachments.js';
import { MessagePreviewCard } from '../LinkPreview.js';
import { GroupEventLines } from '../group/GroupEventLines.js';
import { MemberName } from '../group/GroupAvatar.js';
import { authorOf, groupChangeOf } from '../group/group-api.js';
import { DaySeparator } from './DaySeparator.js';
import { sameDay } from './format.js';
import { MessageActions, type MessageActionHandlers } from './MessageActions.js';
import { MessageMeta } from './MessageMeta.js';
import { allowedActions } from './message-rules.js';
import { QuoteBlock } from './QuoteBlock.js';
import { Reactions } from './Reactions.js';

/** A timeline event as one line; a timer change says who set it to what, as Signal does. */
function eventText(message: Message, contactName: string): string {
  switch (message.kind) {
    case 'identity-changed': {
      // In a group the event names the member whose key changed.
      const member = authorOf(message);
      return member
        ? `Your safety number with ${member.name} changed.`
        : 'The safety number with this contact changed.';
    }
    case 'timer-changed': {
      const change = message.timerChange;
      if (!change) return 'The disappearing-messages timer changed.';
      const who = change.setByYou ? 'You' : contactName;
      return change.seconds
        ? `${who} set disappearing messages to ${durationLabel(change.seconds)}.`
        : `${who} turned off disappearing messages.`;
    }
    default:
      return 'A message could not be decrypted.';
  }
}

export interface MessageItemProps {
  message: Message;
  previous: Message | undefined;
  conversation: Conversation;
  highlighted: boolean;
  /** The actions menu is open on this message (above it when the message is low in the view). */
  menu: { placeAbove: boolean } | null;
  handlers: MessageActionHandlers & {
    onOpenMenu: () => void;
    onJump: (messageId: string) => void;
  };
}

/**
 * One timeline row: a day separator when the day changes, then the message — quote, content or the
 * "deleted" tombstone, time/edited/ticks, "Send again" when ours failed, reactions — or an event line. The message itself is focusable
 * (arrow keys move between messages) and opens its actions menu with Enter or the context-menu key.
 */
export function MessageItem({
  message,
  previous,
  conversation,
  highlighted,
  menu,
  handlers,
}: MessageItemProps) {
  const newDay = !previous || !sameDay(previous.sentAt, message.sentAt);
  const separator = newDay ? <DaySeparator at={message.sentAt} /> : null;
  const groupChange = groupChangeOf(message);
  if (groupChange) {
    return (
      <>
        {separator}
        <GroupEventLines change={groupChange} messageId={message.id} />
      </>
    );
  }
  // In a group the sender's name heads each incoming message (the chat's title is the group's).
  const author = message.direction === 'in' ? authorOf(message) : null;
  if (message.kind !== 'text') {
    return (
      <>
        {separator}
        <div className="timeline-event" tabIndex={-1} data-message-id={message.id}>
          {eventText(message, conversation.title)}
        </div>
      </>
    );
  }
  return (
    <>
      {separator}
      <div
        className={`timeline-message ${message.direction}${highlighted ? ' highlighted' : ''}`}
        tabIndex={-1}
        data-message-id={message.id}
        role="article"
        aria-roledescription="message"
        aria-keyshortcuts="Enter ContextMenu Shift+F10"
        onContextMenu={(e) => {
          if (e.target instanceof HTMLElement && e.target.closest('.message-menu')) return;
          e.preventDefault();
          handlers.onOpenMenu();
        }}
      >
        <div className={`bubble ${message.direction}`}>
          {author ? (
            <span className="sender-name">
              <MemberName serviceId={author.serviceId} name={author.name} />
              <span className="visually-hidden">:</span>
            </span>
          ) : (
            <span className="visually-hidden">
              {message.direction === 'out' ? 'You:' : `${conversation.title}:`}
            </span>
          )}
          {message.quote && !message.deleted ? (
            <QuoteBlock quote={message.quote} contactName={conversation.title} onJump={handlers.onJump} />
          ) : null}
          {message.deleted ? (
            <p className="bubble-text tombstone">
              {message.direction === 'out' ? 'You deleted this message.' : 'This message was deleted.'}
            </p>
          ) : (
            <>
              <MessageAttachments message={message} />
              {message.body ? <p className="bubble-text">{message.body}</p> : null}
              <MessagePreviewCard message={message} />
            </>
          )}
          <MessageMeta message={message} />
        </div>
        {allowedActions(message, conversation).resend ? (
          // Beside "Not sent", as Signal offers it; the actions menu has it too (keyboard).
          <button type="button" className="link-button resend-button" onClick={handlers.onResend}>
            Send again
          </button>
        ) : null}
        {message.deleted ? null : (
          <Reactions
            groups={message.reactions}
            contactName={conversation.title}
            onToggle={(emoji, remove) => handlers.onReact(emoji, remove)}
          />
        )}
        <button
          type="button"
          className="message-actions-button"
          tabIndex={-1}
          aria-label="Message actions"
          aria-haspopup="menu"
          aria-expanded={menu !== null}
          onClick={handlers.onOpenMenu}
        >
          ⋯
        </button>
        {menu ? (
          <MessageActions
            message={message}
            conversation={conversation}
            placeAbove={menu.placeAbove}
            handlers={handlers}
          />
        ) : null}
      </div>
    </>
  );
}

import { useState } from 'react';
import type { ApiError, Conversation } from '../../../src/api/contract.js';
import { navigate } from '../../bridge.js';
import { RemoveContactAction } from '../../screens/RemoveContact.js';
import { useStore } from '../../store.js';
import { ErrorText } from '../ErrorText.js';
import { GroupAvatar } from '../group/GroupAvatar.js';
import { groupOf } from '../group/group-api.js';
import { contactHandle } from './handle.js';
import { TimerControl } from './TimerControl.js';

/**
 * The chat header: who this is (name; verified; typing) and the per-chat controls. "Remove contact…" only
 * for someone in our contacts (not a request, not a stranger we never added). A group shows its member
 * count, which opens the group's settings (`onGroupSettings`: its timer is there, with the members).
 */
export function ConversationHeader({
  conversation,
  onGroupSettings,
}: {
  conversation: Conversation;
  onGroupSettings: () => void;
}) {
  const typing = useStore((s) => s.typing[conversation.id] === true);
  const [error, setError] = useState<ApiError | null>(null);
  const handle = contactHandle(conversation);
  const group = groupOf(conversation);

  return (
    <div className="conversation-header">
      <div className="conversation-title">
        <h2>
          {group ? <GroupAvatar id={conversation.id} title={conversation.title} /> : null}
          {conversation.title}
        </h2>
        {group && group.membership !== 'invited' ? (
          <button type="button" className="link-button group-members-link" onClick={onGroupSettings}>
            {group.memberCount === 1 ? '1 member' : `${group.memberCount} members`}
            <span className="visually-hidden"> — group settings</span>
          </button>
        ) : null}
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
        {group ? null : <TimerControl conversation={conversation} onError={setError} />}
        {group ? null : (
          <button
            type="button"
            onClick={() => navigate({ name: 'safety-number', conversationId: conversation.id })}
          >
            Safety number
          </button>
        )}
        {/* Keyed: another conversation gets a fresh (closed) dialog. */}
        {conversation.isContact && !group ? (
          <RemoveContactAction key={conversation.id} conversation={conversation} />
        ) : null}
      </div>
      <ErrorText error={error} />
    </div>
  );
}

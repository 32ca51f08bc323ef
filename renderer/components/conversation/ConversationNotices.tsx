import { useState } from 'react';
import type { ApiError, Conversation } from '../../../src/api/contract.js';
import { getApi, navigate } from '../../bridge.js';
import { upsertConversation } from '../../store.js';
import { ErrorText } from '../ErrorText.js';

/** What the user must know or decide about this chat before writing: stranger, request, blocked, new key. */
export function ConversationNotices({ conversation }: { conversation: Conversation }) {
  const [error, setError] = useState<ApiError | null>(null);
  const conversationId = conversation.id;

  const act = async (action: 'accept' | 'block' | 'unblock' | 'confirm-identity') => {
    setError(null);
    const api = getApi();
    const result =
      action === 'accept'
        ? await api.conversation.acceptRequest({ conversationId })
        : action === 'confirm-identity'
          ? await api.conversation.confirmIdentity({ conversationId })
          : await api.conversation.setBlocked({ conversationId, blocked: action === 'block' });
    if (result.ok) upsertConversation(result.value);
    else setError(result.error);
  };

  return (
    <>
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
            <button type="button" className="danger" onClick={() => void act('block')}>
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
            <button type="button" onClick={() => navigate({ name: 'safety-number', conversationId })}>
              Verify safety number
            </button>
            <button type="button" onClick={() => void act('confirm-identity')}>
              Accept the new safety number
            </button>
          </div>
        </div>
      ) : null}
      <ErrorText error={error} />
    </>
  );
}

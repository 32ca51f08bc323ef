import { useState } from 'react';
import type { Conversation } from '../../../src/api/contract.js';
import { closeConversation, removeConversation } from '../../store.js';
import { ErrorText } from '../ErrorText.js';
import { GroupAvatar } from './GroupAvatar.js';
import { groupsApi } from './group-api.js';
import { useGroup } from './useGroup.js';
import '../../styles/groups.css';

/**
 * An invitation to a group, shown like a message request: who invited us, the group's name and size, and
 * Accept / Decline. Nothing said in the group shows before accepting (the core keeps none of it), and until
 * then they get no receipts and no profile key from us.
 */
export function GroupInvitation({ conversation }: { conversation: Conversation }) {
  const { group, error, setError, apply } = useGroup(conversation.id);
  const [busy, setBusy] = useState(false);
  const inviter = group?.invitedBy?.name ?? 'Someone';
  const members = group?.members.filter((m) => m.state === 'member').length ?? null;

  const accept = async () => {
    setBusy(true);
    setError(null);
    const result = await groupsApi().acceptInvitation({ conversationId: conversation.id });
    setBusy(false);
    if (result.ok) apply(result.value);
    else setError(result.error);
  };
  const decline = async () => {
    setBusy(true);
    setError(null);
    const result = await groupsApi().declineInvitation({ conversationId: conversation.id });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    closeConversation();
    removeConversation(conversation.id);
  };

  return (
    <section className="group-invitation warning" aria-label="Group invitation">
      <GroupAvatar id={conversation.id} title={conversation.title} />
      <p>
        <strong>{inviter}</strong> invited you to <strong>{conversation.title}</strong>
        {members !== null ? ` (${members === 1 ? '1 member' : `${members} members`})` : ''}.
      </p>
      <p className="muted">
        Until you accept, you see nothing said in the group, and its members get no delivery or read receipts
        and cannot see your profile.
      </p>
      <ErrorText error={error} />
      <div className="row wrap">
        <button type="button" className="primary" disabled={busy} onClick={() => void accept()}>
          Accept
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => void decline()}>
          Decline
        </button>
      </div>
    </section>
  );
}

import type { Conversation } from '../../../src/api/contract.js';
import { closeConversation, removeConversation } from '../../store.js';
import { ErrorText } from '../ErrorText.js';
import { GroupAvatar } from './GroupAvatar.js';
import { groupsApi } from './group-api.js';
import { useGroup } from './useGroup.js';
import { useGroupCommand } from './useGroupCommand.js';
import '../../styles/groups.css';

/**
 * An invitation to a group, shown like a message request: who invited us, the group's name and size, and
 * Accept / Decline. Nothing said in the group shows before accepting (the core keeps none of it), and until
 * then they get no receipts and no profile key from us.
 */
export function GroupInvitation({ conversation }: { conversation: Conversation }) {
  const { group, error: loadError, apply } = useGroup(conversation.id);
  const accept = useGroupCommand(apply);
  const decline = useGroupCommand(() => {
    closeConversation();
    removeConversation(conversation.id);
  });
  const busy = accept.busy || decline.busy;
  const inviter = group?.invitedBy?.name ?? 'Someone';
  const members = group?.members.filter((m) => m.state === 'member').length ?? null;
  const ref = { conversationId: conversation.id };

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
      <ErrorText error={loadError ?? accept.error ?? decline.error} />
      <div className="row wrap">
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() => void accept.run(() => groupsApi().acceptInvitation(ref))}
        >
          Accept
        </button>
        <button
          type="button"
          className="danger"
          disabled={busy}
          onClick={() => void decline.run(() => groupsApi().declineInvitation(ref))}
        >
          Decline
        </button>
      </div>
    </section>
  );
}

import { useMemo, useState } from 'react';
import { ErrorText } from '../../components/ErrorText.js';
import { DialogButton } from '../../components/group/DialogButton.js';
import { DialogActions, GroupDialog } from '../../components/group/GroupDialog.js';
import { groupsApi, type Group } from '../../components/group/group-api.js';
import { MemberPicker } from '../../components/group/MemberPicker.js';
import { useGroupCommand } from '../../components/group/useGroupCommand.js';

/** A group action's dialog: the group, what to do with the group the command answers, how to close. */
interface ActionDialogProps {
  group: Group;
  onDone: (group: Group) => void;
  onClose: () => void;
}

/** "Add members…": contacts not yet in the group are invited (groups.invite). */
export function AddMembersAction({ group, onDone }: { group: Group; onDone: (group: Group) => void }) {
  return (
    <DialogButton
      label="Add members…"
      dialog={(close) => <AddMembersDialog group={group} onDone={onDone} onClose={close} />}
    />
  );
}

function AddMembersDialog({ group, onDone, onClose }: ActionDialogProps) {
  const [chosen, setChosen] = useState<string[]>([]);
  const { busy, error, run } = useGroupCommand((next: Group) => {
    onClose();
    onDone(next);
  });
  const present = useMemo(() => new Set(group.members.map((m) => m.serviceId)), [group]);
  return (
    <GroupDialog title={`Add members to ${group.title}`} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(() =>
            groupsApi().invite({ conversationId: group.conversationId, memberConversationIds: chosen }),
          );
        }}
      >
        <MemberPicker chosen={chosen} onChange={setChosen} exclude={present} />
        <DialogActions
          error={error}
          busy={busy}
          disabled={chosen.length === 0}
          label="Add"
          busyLabel="Adding…"
          onCancel={onClose}
        />
      </form>
    </GroupDialog>
  );
}

/** "Leave group…" with a confirmation: we stop receiving and sending; the history stays on this computer. */
export function LeaveGroupAction({ group, onDone }: { group: Group; onDone: (group: Group) => void }) {
  return (
    <DialogButton
      label="Leave group…"
      className="danger"
      dialog={(close) => <LeaveDialog group={group} onDone={onDone} onClose={close} />}
    />
  );
}

function LeaveDialog({ group, onDone, onClose }: ActionDialogProps) {
  const { busy, error, run } = useGroupCommand((next: Group) => {
    onClose();
    onDone(next);
  });
  return (
    <GroupDialog title={`Leave ${group.title}?`} onClose={onClose} role="alertdialog">
      <p>
        You will no longer send or receive messages in this group. Its members see that you left. The messages
        so far stay on this computer.
      </p>
      <ErrorText error={error} />
      <div className="row wrap">
        <button
          type="button"
          className="danger"
          disabled={busy}
          onClick={() => void run(() => groupsApi().leave({ conversationId: group.conversationId }))}
        >
          {busy ? 'Leaving…' : 'Leave group'}
        </button>
        <button type="button" onClick={onClose} disabled={busy} autoFocus>
          Cancel
        </button>
      </div>
    </GroupDialog>
  );
}

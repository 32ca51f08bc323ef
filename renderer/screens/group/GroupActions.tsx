import { useMemo, useState } from 'react';
import type { ApiError, ApiResult } from '../../../src/api/contract.js';
import { ErrorText } from '../../components/ErrorText.js';
import { DialogButton } from '../../components/group/DialogButton.js';
import { GroupDialog } from '../../components/group/GroupDialog.js';
import { groupsApi, type Group } from '../../components/group/group-api.js';
import { MemberPicker } from '../../components/group/MemberPicker.js';

/** Runs a group command with a busy flag and its typed error; calls `onDone` with the group it answered. */
function useGroupCommand(onDone: (group: Group) => void, close: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async (command: () => Promise<ApiResult<Group>>) => {
    setBusy(true);
    setError(null);
    const result = await command();
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    close();
    onDone(result.value);
  };
  return { busy, error, run };
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

function AddMembersDialog({
  group,
  onDone,
  onClose,
}: {
  group: Group;
  onDone: (group: Group) => void;
  onClose: () => void;
}) {
  const [chosen, setChosen] = useState<string[]>([]);
  const { busy, error, run } = useGroupCommand(onDone, onClose);
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
        <ErrorText error={error} />
        <div className="row wrap">
          <button type="submit" className="primary" disabled={busy || chosen.length === 0}>
            {busy ? 'Adding…' : 'Add'}
          </button>
          <button type="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
        </div>
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

function LeaveDialog({
  group,
  onDone,
  onClose,
}: {
  group: Group;
  onDone: (group: Group) => void;
  onClose: () => void;
}) {
  const { busy, error, run } = useGroupCommand(onDone, onClose);
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

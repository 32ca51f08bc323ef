import { useId, useState, type FormEvent } from 'react';
import { DISAPPEARING_TIMER_SECONDS, durationLabel } from '../../../src/api/contract.js';
import { openConversation, refreshConversations } from '../../bridge.js';
import { DialogActions, GroupDialog } from '../../components/group/GroupDialog.js';
import { groupsApi, type Group } from '../../components/group/group-api.js';
import { useGroupCommand } from '../../components/group/useGroupCommand.js';
import { MemberPicker } from '../../components/group/MemberPicker.js';
import { TitleField } from '../../components/group/TitleField.js';
import { useStore } from '../../store.js';

type TimerSeconds = (typeof DISAPPEARING_TIMER_SECONDS)[number];

/**
 * "New group": a name (up to 32 characters), contacts to invite, the disappearing-messages timer (the
 * default from settings, as Signal starts a group with the universal timer) → groups.create → the group
 * opens. Contacts whose profile key we hold are added; the others are invited (the core decides).
 */
export function NewGroupDialog({ onClose }: { onClose: () => void }) {
  const defaultTimer = useStore((s) => s.settings?.disappearingDefaultSeconds ?? 0);
  const [title, setTitle] = useState('');
  const [members, setMembers] = useState<string[]>([]);
  const [timer, setTimer] = useState<TimerSeconds>(defaultTimer);
  const { busy, error, run } = useGroupCommand((group: Group) => {
    onClose();
    void refreshConversations().then(() => openConversation(group.conversationId));
  });
  const timerId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    // React events bubble through the portal: New chat's own form must not see this submit.
    event.stopPropagation();
    void run(() =>
      groupsApi().create({
        title: title.trim(),
        memberConversationIds: members,
        timerSeconds: timer === 0 ? null : timer,
      }),
    );
  };

  return (
    <GroupDialog title="New group" onClose={onClose}>
      <form className="new-group" onSubmit={submit}>
        <TitleField value={title} onChange={setTitle} invalid={error?.code === 'INVALID_INPUT'} />
        <MemberPicker chosen={members} onChange={setMembers} />
        <label htmlFor={timerId}>Disappearing messages</label>
        <select
          id={timerId}
          value={String(timer)}
          onChange={(e) => setTimer(Number(e.target.value) as TimerSeconds)}
        >
          {DISAPPEARING_TIMER_SECONDS.map((s) => (
            <option key={s} value={String(s)}>
              {s === 0 ? 'Off' : durationLabel(s)}
            </option>
          ))}
        </select>
        <DialogActions
          error={error}
          busy={busy}
          disabled={!title.trim() || members.length === 0}
          label="Create group"
          busyLabel="Creating…"
          onCancel={onClose}
        />
      </form>
    </GroupDialog>
  );
}

import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Conversation } from '../../../src/api/contract.js';
import { navigate } from '../../bridge.js';
import { ErrorText } from '../../components/ErrorText.js';
import { TimerControl } from '../../components/conversation/TimerControl.js';
import { groupsApi, type Group } from '../../components/group/group-api.js';
import { TitleField } from '../../components/group/TitleField.js';
import { useGroup } from '../../components/group/useGroup.js';
import { useGroupCommand } from '../../components/group/useGroupCommand.js';
import { AddMembersAction, LeaveGroupAction } from './GroupActions.js';
import { MemberList } from './MemberList.js';

/**
 * A group's settings (from the header's "N members"): its name (editable when the group lets us), the
 * disappearing-messages timer, members with their roles and safety numbers, invited people, adding
 * members, leaving.
 */
export function GroupSettings({
  conversation,
  onClose,
}: {
  conversation: Conversation;
  onClose: () => void;
}) {
  const { group, error, setError, apply } = useGroup(conversation.id);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  return (
    <section className="panel group-settings" aria-labelledby="group-settings-title">
      <button type="button" className="back" onClick={onClose}>
        ← Back to chat
      </button>
      <h2 id="group-settings-title" ref={heading} tabIndex={-1}>
        Group settings
      </h2>
      <ErrorText error={error} />
      {group ? (
        <>
          {group.canEditAttributes && group.membership === 'member' ? (
            <RenameForm group={group} onDone={apply} />
          ) : null}
          {group.membership === 'member' ? (
            <div className="group-timer row wrap">
              <TimerControl conversation={conversation} onError={setError} />
            </div>
          ) : null}
          <MemberList
            group={group}
            onSafetyNumber={(conversationId) => navigate({ name: 'safety-number', conversationId })}
          />
          {group.membership === 'member' ? (
            <div className="row wrap group-actions">
              {group.canAddMembers ? <AddMembersAction group={group} onDone={apply} /> : null}
              <LeaveGroupAction group={group} onDone={apply} />
            </div>
          ) : (
            <p className="muted">You are no longer a member of this group.</p>
          )}
        </>
      ) : error ? null : (
        <p className="muted" role="status">
          Loading the group…
        </p>
      )}
    </section>
  );
}

/** Rename the group (Signal's 32-character limit; the core refuses an empty or longer name too). */
function RenameForm({ group, onDone }: { group: Group; onDone: (group: Group) => void }) {
  const [title, setTitle] = useState(group.title);
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useGroupCommand((next: Group) => {
    setSaved(true);
    onDone(next);
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    void run(() => groupsApi().setTitle({ conversationId: group.conversationId, title: title.trim() }));
  };

  const unchanged = title.trim() === group.title || !title.trim();
  return (
    <form className="group-rename" onSubmit={submit}>
      <TitleField value={title} onChange={setTitle} invalid={error?.code === 'INVALID_INPUT'} />
      <div className="row wrap">
        <button type="submit" disabled={busy || unchanged}>
          {busy ? 'Saving…' : 'Save name'}
        </button>
        <span className="ok" role="status">
          {saved ? 'Saved.' : ''}
        </span>
      </div>
      <ErrorText error={error} />
    </form>
  );
}

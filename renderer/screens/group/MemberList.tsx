import { useId } from 'react';
import type { Group, GroupMember } from '../../components/group/group-api.js';
import { MemberName } from '../../components/group/GroupAvatar.js';

/**
 * The group's people: members (Admin badge, "you", a safety-number-changed marker, their safety number),
 * then invited and requesting people. A member's safety number is the one of our 1:1 chat with them.
 */
export function MemberList({
  group,
  onSafetyNumber,
}: {
  group: Group;
  onSafetyNumber: (conversationId: string) => void;
}) {
  const byState = (state: GroupMember['state']) =>
    group.members
      .filter((m) => m.state === state)
      .sort((a, b) => Number(b.isUs) - Number(a.isUs) || a.name.localeCompare(b.name));
  const members = byState('member');
  return (
    <>
      <MemberSection
        title={members.length === 1 ? '1 member' : `${members.length} members`}
        people={members}
        onSafetyNumber={onSafetyNumber}
      />
      <MemberSection
        title={`Invited (${byState('invited').length})`}
        people={byState('invited')}
        onSafetyNumber={onSafetyNumber}
      />
      <MemberSection
        title={`Asking to join (${byState('requesting').length})`}
        people={byState('requesting')}
        onSafetyNumber={onSafetyNumber}
      />
    </>
  );
}

/** One titled list of people (nothing when empty). */
function MemberSection({
  title,
  people,
  onSafetyNumber,
}: {
  title: string;
  people: GroupMember[];
  onSafetyNumber: (conversationId: string) => void;
}) {
  const id = useId();
  if (people.length === 0) return null;
  return (
    <>
      <h3 id={id}>{title}</h3>
      <ul className="group-members" aria-labelledby={id}>
        {people.map((m) => (
          <MemberRow key={m.serviceId} member={m} onSafetyNumber={onSafetyNumber} />
        ))}
      </ul>
    </>
  );
}

function MemberRow({
  member: m,
  onSafetyNumber,
}: {
  member: GroupMember;
  onSafetyNumber: (conversationId: string) => void;
}) {
  const conversationId = m.conversationId;
  return (
    <li className="group-member">
      <span className="group-member-name">
        {m.isUs ? 'You' : <MemberName serviceId={m.serviceId} name={m.name} />}
        {m.role === 'administrator' ? <span className="badge admin">Admin</span> : null}
        {m.identityChanged ? (
          <span className="identity-changed" role="note">
            <span aria-hidden="true">⚠ </span>Safety number changed
          </span>
        ) : null}
      </span>
      {m.isUs ? null : conversationId ? (
        <button type="button" onClick={() => onSafetyNumber(conversationId)}>
          Safety number<span className="visually-hidden"> with {m.name}</span>
        </button>
      ) : (
        <span className="muted small">No chat with them yet: no safety number to compare.</span>
      )}
    </li>
  );
}

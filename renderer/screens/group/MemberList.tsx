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
  const invited = byState('invited');
  const requesting = byState('requesting');
  return (
    <>
      <h3 id="group-members-title">{members.length === 1 ? '1 member' : `${members.length} members`}</h3>
      <ul className="group-members" aria-labelledby="group-members-title">
        {members.map((m) => (
          <MemberRow key={m.serviceId} member={m} onSafetyNumber={onSafetyNumber} />
        ))}
      </ul>
      {invited.length > 0 ? (
        <>
          <h3 id="group-invited-title">Invited ({invited.length})</h3>
          <ul className="group-members" aria-labelledby="group-invited-title">
            {invited.map((m) => (
              <MemberRow key={m.serviceId} member={m} onSafetyNumber={onSafetyNumber} />
            ))}
          </ul>
        </>
      ) : null}
      {requesting.length > 0 ? (
        <>
          <h3 id="group-requesting-title">Asking to join ({requesting.length})</h3>
          <ul className="group-members" aria-labelledby="group-requesting-title">
            {requesting.map((m) => (
              <MemberRow key={m.serviceId} member={m} onSafetyNumber={onSafetyNumber} />
            ))}
          </ul>
        </>
      ) : null}
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

import type { ReactionGroup } from '../../../src/api/contract.js';

/** Who reacted with one emoji: each member by name in a group, the contact in a 1:1 chat. */
export function reactorNames(group: ReactionGroup, contactName: string): string {
  return group.reactors.map((r) => (r.fromYou ? 'you' : (r.person?.name ?? contactName))).join(' and ');
}

/**
 * Reactions under a bubble, one chip per emoji with who reacted (in its name and tooltip). Pressing our own
 * takes it away; pressing another reacts with it (replacing ours: one per person).
 */
export function Reactions({
  groups,
  contactName,
  onToggle,
}: {
  groups: readonly ReactionGroup[];
  contactName: string;
  onToggle: (emoji: string, remove: boolean) => void;
}) {
  if (groups.length === 0) return null;
  return (
    <ul className="reactions" aria-label="Reactions">
      {groups.map((group) => {
        const names = reactorNames(group, contactName);
        return (
          <li key={group.emoji}>
            <button
              type="button"
              className={group.includesYou ? 'reaction mine' : 'reaction'}
              aria-pressed={group.includesYou}
              aria-label={`${group.emoji} from ${names}${group.includesYou ? '; press to remove yours' : ''}`}
              title={`Reacted: ${names}`}
              onClick={() => onToggle(group.emoji, group.includesYou)}
            >
              <span aria-hidden="true">{group.emoji}</span>
              {group.count > 1 ? <span className="reaction-count">{group.count}</span> : null}
            </button>
          </li>
        );
      })}
    </ul>
  );
}

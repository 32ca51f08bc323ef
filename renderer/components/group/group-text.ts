/**
 * Group words made in one place (issue 15), pure so they are tested exactly: the timeline's event lines
 * for group changes, how we stopped being a member, a member's stable name colour and a group's
 * initials. The core stores changes as data; only this module turns them into sentences.
 */
import { durationLabel } from '../../../src/api/contract.js';
import type { GroupChange, GroupChangeItem, Person } from './group-api.js';

/** Two service ids name the same account (an ACI may come with or without its "ACI:" prefix). */
export function sameServiceId(a: string, b: string): boolean {
  const bare = (id: string) => id.replace(/^ACI:/i, '').toLowerCase();
  return bare(a) === bare(b);
}

/** Whether a person is the user (compared by service id: names are not unique). */
export type IsUs = (person: Person) => boolean;

/** "You" for the user, else their name; `fallback` when nobody is named (a change by the server). */
function who(person: Person | null | undefined, isUs: IsUs, you: string, fallback: string): string {
  if (!person) return fallback;
  return isUs(person) ? you : person.name;
}

function quoted(text: string | undefined): string {
  return text ? `“${text}”` : 'something new';
}

/** One change as a sentence, e.g. "Alice added Bob." / "You were removed from the group." */
function changeLine(change: GroupChangeItem, actor: Person | null, isUs: IsUs): string {
  const by = who(actor, isUs, 'You', '');
  const subject = who(change.subject, isUs, 'you', 'someone');
  const subjectIsUs = change.subject !== undefined && isUs(change.subject);
  const Subject = subjectIsUs ? 'You' : subject;
  // The subject acted on themselves (joined, left, declined): say it from their side.
  const self = actor !== null && change.subject?.serviceId === actor.serviceId;
  switch (change.kind) {
    case 'created':
      return by ? `${by} created the group.` : 'The group was created.';
    case 'added':
      if (self) return `${Subject} joined the group.`;
      return by ? `${by} added ${subject}.` : `${Subject} ${subjectIsUs ? 'were' : 'was'} added.`;
    case 'invited':
      if (!by) return `${Subject} ${subjectIsUs ? 'were' : 'was'} invited to the group.`;
      return `${by} invited ${subject} to the group.`;
    case 'joined':
      return `${Subject} joined the group.`;
    case 'left':
      return `${Subject} left the group.`;
    case 'removed':
      if (self) return `${Subject} left the group.`;
      if (subjectIsUs) return by ? `${by} removed you from the group.` : 'You were removed from the group.';
      return by ? `${by} removed ${subject}.` : `${subject} was removed from the group.`;
    case 'declined':
      return `${Subject} declined the invitation to the group.`;
    case 'title':
      return by
        ? `${by} changed the group name to ${quoted(change.text)}.`
        : `The group name is now ${quoted(change.text)}.`;
    case 'description':
      return by ? `${by} changed the group description.` : 'The group description changed.';
    case 'timer': {
      const seconds = change.timerSeconds ?? null;
      const actorText = by || 'The group';
      return seconds
        ? `${actorText} set disappearing messages to ${durationLabel(seconds)}.`
        : `${actorText} turned off disappearing messages.`;
    }
    case 'role':
      if (change.text === 'administrator') return `${by || 'The group'} made ${subject} an admin.`;
      if (change.text === 'member') return `${by || 'The group'} revoked admin rights from ${subject}.`;
      return `${by || 'The group'} changed ${subjectIsUs ? 'your' : `${subject}’s`} role.`;
    case 'access':
      return `${by || 'The group'} changed who can edit the group.`;
  }
}

/** The event lines of one group change (a change can carry several: "Alice added Bob", "…added Carol"). */
export function groupChangeLines(change: GroupChange, isUs: IsUs): string[] {
  if (change.changes.length === 0) return ['The group was updated.'];
  return change.changes.map((item) => changeLine(item, change.actor, isUs));
}

/**
 * How we stopped being a member, from the group's changes oldest first: 'removed' when someone else took
 * us out, 'left' when we did; null when no loaded change says.
 */
export function howWeLeft(changes: readonly GroupChange[], isUs: IsUs): 'left' | 'removed' | null {
  for (let i = changes.length - 1; i >= 0; i -= 1) {
    const change = changes[i];
    const out = change?.changes.find(
      (c) => (c.kind === 'removed' || c.kind === 'left') && c.subject !== undefined && isUs(c.subject),
    );
    if (!change || !out) continue;
    const byUs = change.actor !== null && isUs(change.actor);
    return out.kind === 'removed' && !byUs ? 'removed' : 'left';
  }
  return null;
}

/** Up to two initials from a title ("Book club" → "BC"); a symbol when the title has no letters. */
export function initials(title: string): string {
  const words = title
    .trim()
    .split(/\s+/u)
    .filter((w) => /[\p{L}\p{N}]/u.test(w));
  const letters = words.slice(0, 2).map((w) => Array.from(w.replace(/^[^\p{L}\p{N}]+/u, ''))[0] ?? '');
  return letters.join('').toLocaleUpperCase() || '#';
}

/**
 * Name colours: each member keeps one colour (from their service id) so a reader can follow who speaks;
 * the name is always written too (never colour alone). Each pair meets WCAG AA (4.5:1) on the incoming
 * bubble in its theme — the unit test checks — and the light colour carries white initials on avatars.
 */
export const MEMBER_COLOURS: readonly { light: string; dark: string }[] = [
  { light: '#a33a1f', dark: '#ffab94' },
  { light: '#8a4b00', dark: '#ffbd6e' },
  { light: '#1f6b2e', dark: '#86dc93' },
  { light: '#00667a', dark: '#6fd8ea' },
  { light: '#2b52c4', dark: '#a7c0ff' },
  { light: '#6a3fb5', dark: '#cdb0ff' },
  { light: '#a12c7b', dark: '#ff9fd6' },
  { light: '#5a6200', dark: '#d0da66' },
];

/** A stable colour for a service id (FNV-1a over its text: same id, same colour, on every computer). */
export function memberColour(serviceId: string): { light: string; dark: string } {
  let hash = 0x811c9dc5;
  for (let i = 0; i < serviceId.length; i += 1) {
    hash ^= serviceId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return MEMBER_COLOURS[hash % MEMBER_COLOURS.length] ?? { light: '#5b6470', dark: '#a0a8b4' };
}

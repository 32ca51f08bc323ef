/**
 * What one group change did, as structured data for the group's timeline ("Alice added Bob", "You left",
 * "Alice set the timer to 5 minutes"): computed from the state before and after the change (every change
 * the server hands us comes with, or is followed by, the state it led to), with the change's author from
 * its signed actions. Stored as the event row's JSON (event type `group-change`); the UI words it, never
 * parses text. Service ids only: names are looked up when shown.
 */
import type { GroupChangeKind } from './group-rules.js';
import type { GroupState } from './group-state.js';

export interface GroupChangeItem {
  readonly kind: GroupChangeKind;
  /** Whom it is about (a member's ACI, an invitee's ACI or PNI). */
  readonly subject?: string;
  /** The new title or description, a member's new role, or which access rule changed. */
  readonly text?: string;
  readonly timerSeconds?: number | null;
}

export interface GroupChangeRecord {
  /** Who made the change (service id), null when the server did not say (a full state fetch). */
  readonly actor: string | null;
  readonly revision: number;
  readonly changes: readonly GroupChangeItem[];
}

/** A hostile change can name a thousand members: the timeline keeps this many lines of one change. */
const MAX_ITEMS = 64;

/** Our own service ids: an invitation to our PNI that we accept joins with our ACI. */
interface Us {
  readonly aci: string;
  readonly pni: string | undefined;
}

/**
 * The change from `before` to `after` (`before` null: the first state we see of the group). `actor`
 * may be our PNI (accepting a PNI invitation); it is reported as the member who joined.
 */
export function describeChange(
  before: GroupState | null,
  after: GroupState,
  actor: string | null,
  us: Us,
): GroupChangeRecord {
  if (!before) return { actor, revision: after.revision, changes: firstSight(after, actor, us) };
  const items: GroupChangeItem[] = [];
  let author = actor;
  const wasMember = new Set(before.members.map((m) => m.aci));
  const isMember = new Set(after.members.map((m) => m.aci));
  const stillPending = new Set(after.pending.map((p) => p.serviceId));
  const removedPending = new Set(
    before.pending.map((p) => p.serviceId).filter((id) => !stillPending.has(id)),
  );
  for (const member of after.members) {
    if (wasMember.has(member.aci)) continue;
    const pni = member.aci === us.aci ? us.pni : undefined;
    if (removedPending.delete(member.aci) || (pni !== undefined && removedPending.delete(pni))) {
      if (author === pni) author = member.aci;
      items.push({ kind: 'joined', subject: member.aci });
    } else if (author?.startsWith('PNI:') && removedPending.delete(author)) {
      // Someone else accepted an invitation to their PNI: the change is signed by that PNI.
      author = member.aci;
      items.push({ kind: 'joined', subject: member.aci });
    } else if (before.requesting.some((r) => r.aci === member.aci)) {
      items.push({ kind: 'joined', subject: member.aci });
    } else {
      items.push({ kind: 'added', subject: member.aci });
    }
  }
  for (const member of before.members) {
    if (isMember.has(member.aci)) continue;
    items.push({ kind: member.aci === author ? 'left' : 'removed', subject: member.aci });
  }
  for (const id of removedPending) {
    items.push({ kind: id === author ? 'declined' : 'removed', subject: id });
  }
  const wasPending = new Set(before.pending.map((p) => p.serviceId));
  for (const pending of after.pending) {
    if (!wasPending.has(pending.serviceId)) items.push({ kind: 'invited', subject: pending.serviceId });
  }
  for (const member of after.members) {
    const old = before.members.find((m) => m.aci === member.aci);
    if (old && old.role !== member.role) items.push({ kind: 'role', subject: member.aci, text: member.role });
  }
  if (before.title !== after.title) items.push({ kind: 'title', text: after.title });
  if (before.description !== after.description) {
    items.push({ kind: 'description', ...(after.description ? { text: after.description } : {}) });
  }
  if (before.timerSeconds !== after.timerSeconds)
    items.push({ kind: 'timer', timerSeconds: after.timerSeconds });
  for (const rule of ['attributes', 'members', 'addFromInviteLink'] as const) {
    if (before.access[rule] !== after.access[rule]) items.push({ kind: 'access', text: rule });
  }
  return { actor: author, revision: after.revision, changes: items.slice(0, MAX_ITEMS) };
}

/** The first state we hold of a group: we made it, were added, or were invited. */
function firstSight(state: GroupState, actor: string | null, us: Us): GroupChangeItem[] {
  if (state.revision === 0 && actor === us.aci) {
    return [
      { kind: 'created' as const, text: state.title },
      ...state.members
        .filter((m) => m.aci !== us.aci)
        .map((m) => ({ kind: 'added' as const, subject: m.aci })),
      ...state.pending.map((p) => ({ kind: 'invited' as const, subject: p.serviceId })),
    ].slice(0, MAX_ITEMS);
  }
  const invitation = state.pending.find((p) => p.serviceId === us.aci || p.serviceId === us.pni);
  if (invitation) return [{ kind: 'invited', subject: invitation.serviceId }];
  if (state.members.some((m) => m.aci === us.aci)) return [{ kind: 'added', subject: us.aci }];
  return [];
}

/** What a group change did, from the states before and after it (pure; the network tests cover the rest). */
import { describe, expect, it } from 'vitest';
import { describeChange } from './group-changes.js';
import type { GroupState } from './group-state.js';

const US = { aci: 'aaaaaaaa-0000-4000-8000-000000000001', pni: 'PNI:aaaaaaaa-0000-4000-8000-000000000002' };
const ALICE = 'aaaaaaaa-0000-4000-8000-000000000003';
const BOB = 'aaaaaaaa-0000-4000-8000-000000000004';
const BOB_PNI = 'PNI:aaaaaaaa-0000-4000-8000-000000000005';
const CAROL = 'aaaaaaaa-0000-4000-8000-000000000006';

const member = (aci: string, role: 'member' | 'administrator' = 'member') => ({
  aci,
  role,
  profileKey: null,
  joinedAtRevision: 0,
});
const invited = (serviceId: string) => ({
  serviceId,
  role: 'member' as const,
  addedBy: ALICE,
  invitedAt: null,
});

function state(patch: Partial<GroupState>): GroupState {
  return {
    revision: 1,
    title: 'Choir',
    description: null,
    avatarUrl: null,
    timerSeconds: null,
    access: { attributes: 'member', members: 'member', addFromInviteLink: 'unsatisfiable' },
    members: [member(US.aci), member(ALICE, 'administrator')],
    pending: [],
    requesting: [],
    announcementsOnly: false,
    terminated: false,
    ...patch,
  };
}

describe('describeChange', () => {
  it('tells leaving from being removed, declining from a revoked invitation', () => {
    const before = state({
      members: [member(US.aci), member(ALICE), member(BOB)],
      pending: [invited(CAROL)],
    });
    const left = describeChange(
      before,
      state({ revision: 2, members: [member(US.aci), member(ALICE)], pending: [invited(CAROL)] }),
      BOB,
      US,
    );
    expect(left.changes).toEqual([{ kind: 'left', subject: BOB }]);
    const removed = describeChange(
      before,
      state({ revision: 2, members: [member(US.aci), member(ALICE)], pending: [invited(CAROL)] }),
      ALICE,
      US,
    );
    expect(removed.changes).toEqual([{ kind: 'removed', subject: BOB }]);
    const declined = describeChange(before, state({ revision: 2, members: before.members }), CAROL, US);
    expect(declined.changes).toEqual([{ kind: 'declined', subject: CAROL }]);
    const revoked = describeChange(before, state({ revision: 2, members: before.members }), ALICE, US);
    expect(revoked.changes).toEqual([{ kind: 'removed', subject: CAROL }]);
  });

  it('an accepted invitation is a join — also one to a PNI, signed by that PNI and reported as the ACI', () => {
    const before = state({ members: [member(ALICE)], pending: [invited(BOB_PNI), invited(US.pni)] });
    const bobJoins = describeChange(
      before,
      state({ revision: 2, members: [...before.members, member(BOB)], pending: [invited(US.pni)] }),
      BOB_PNI,
      US,
    );
    expect(bobJoins).toEqual({ actor: BOB, revision: 2, changes: [{ kind: 'joined', subject: BOB }] });
    const weJoin = describeChange(
      before,
      state({ revision: 2, members: [...before.members, member(US.aci)], pending: [invited(BOB_PNI)] }),
      US.pni,
      US,
    );
    expect(weJoin).toEqual({ actor: US.aci, revision: 2, changes: [{ kind: 'joined', subject: US.aci }] });
  });

  it('attributes, roles and access rules; a hostile change is cut to 64 lines', () => {
    const after = state({
      revision: 2,
      title: 'Chorus',
      description: 'Tuesdays',
      timerSeconds: 300,
      members: [member(US.aci, 'administrator'), member(ALICE, 'administrator')],
      access: { attributes: 'administrator', members: 'member', addFromInviteLink: 'unsatisfiable' },
    });
    expect(describeChange(state({}), after, ALICE, US).changes).toEqual([
      { kind: 'role', subject: US.aci, text: 'administrator' },
      { kind: 'title', text: 'Chorus' },
      { kind: 'description', text: 'Tuesdays' },
      { kind: 'timer', timerSeconds: 300 },
      { kind: 'access', text: 'attributes' },
    ]);
    const crowd = Array.from({ length: 200 }, (_, i) =>
      invited(`PNI:aaaaaaaa-0000-4000-8000-${String(i).padStart(12, '0')}`),
    );
    expect(describeChange(state({}), state({ revision: 2, pending: crowd }), ALICE, US).changes).toHaveLength(
      64,
    );
  });

  it('the first sight of a group: we created it, were added, or were invited', () => {
    const created = state({
      revision: 0,
      members: [member(US.aci, 'administrator'), member(ALICE)],
      pending: [invited(BOB)],
    });
    expect(describeChange(null, created, US.aci, US).changes).toEqual([
      { kind: 'created', text: 'Choir' },
      { kind: 'added', subject: ALICE },
      { kind: 'invited', subject: BOB },
    ]);
    expect(describeChange(null, state({ revision: 4 }), null, US).changes).toEqual([
      { kind: 'added', subject: US.aci },
    ]);
    const invitation = state({ members: [member(ALICE)], pending: [invited(US.pni)] });
    expect(describeChange(null, invitation, ALICE, US)).toEqual({
      actor: ALICE,
      revision: 1,
      changes: [{ kind: 'invited', subject: US.pni }],
    });
  });
});

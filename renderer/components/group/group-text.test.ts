import { describe, expect, it } from 'vitest';
import type { GroupChange, Person } from './group-api.js';
import {
  groupChangeLines,
  howWeLeft,
  initials,
  memberColour,
  MEMBER_COLOURS,
  sameServiceId,
} from './group-text.js';

const you: Person = { serviceId: 'aci-you', name: 'Me' };
const alice: Person = { serviceId: 'aci-alice', name: 'Alice' };
const bob: Person = { serviceId: 'aci-bob', name: 'Bob' };
const isUs = (p: Person) => p.serviceId === you.serviceId;
const lines = (change: GroupChange) => groupChangeLines(change, isUs);

describe('groupChangeLines', () => {
  it('names the actor and the subject, "You"/"you" for the user', () => {
    expect(lines({ actor: alice, changes: [{ kind: 'added', subject: bob }] })).toEqual(['Alice added Bob.']);
    expect(lines({ actor: you, changes: [{ kind: 'added', subject: bob }] })).toEqual(['You added Bob.']);
    expect(lines({ actor: alice, changes: [{ kind: 'invited', subject: you }] })).toEqual([
      'Alice invited you to the group.',
    ]);
    expect(lines({ actor: alice, changes: [{ kind: 'created' }] })).toEqual(['Alice created the group.']);
    expect(lines({ actor: you, changes: [{ kind: 'created' }] })).toEqual(['You created the group.']);
  });

  it('says joining, leaving and declining from the subject’s side', () => {
    expect(lines({ actor: bob, changes: [{ kind: 'joined', subject: bob }] })).toEqual([
      'Bob joined the group.',
    ]);
    expect(lines({ actor: you, changes: [{ kind: 'left', subject: you }] })).toEqual(['You left the group.']);
    expect(lines({ actor: bob, changes: [{ kind: 'removed', subject: bob }] })).toEqual([
      'Bob left the group.',
    ]);
    expect(lines({ actor: bob, changes: [{ kind: 'added', subject: bob }] })).toEqual([
      'Bob joined the group.',
    ]);
    expect(lines({ actor: bob, changes: [{ kind: 'declined', subject: bob }] })).toEqual([
      'Bob declined the invitation to the group.',
    ]);
  });

  it('says when the user was removed, by whom if known', () => {
    expect(lines({ actor: alice, changes: [{ kind: 'removed', subject: you }] })).toEqual([
      'Alice removed you from the group.',
    ]);
    expect(lines({ actor: null, changes: [{ kind: 'removed', subject: you }] })).toEqual([
      'You were removed from the group.',
    ]);
    expect(lines({ actor: alice, changes: [{ kind: 'removed', subject: bob }] })).toEqual([
      'Alice removed Bob.',
    ]);
  });

  it('says the new title, the timer and roles', () => {
    expect(lines({ actor: alice, changes: [{ kind: 'title', text: 'Book club' }] })).toEqual([
      'Alice changed the group name to “Book club”.',
    ]);
    expect(lines({ actor: you, changes: [{ kind: 'timer', timerSeconds: 604800 }] })).toEqual([
      'You set disappearing messages to 1 week.',
    ]);
    expect(lines({ actor: alice, changes: [{ kind: 'timer', timerSeconds: null }] })).toEqual([
      'Alice turned off disappearing messages.',
    ]);
    expect(lines({ actor: alice, changes: [{ kind: 'role', subject: bob, text: 'administrator' }] })).toEqual(
      ['Alice made Bob an admin.'],
    );
    expect(lines({ actor: alice, changes: [{ kind: 'role', subject: you }] })).toEqual([
      'Alice changed your role.',
    ]);
  });

  it('gives one line per change, and a line for an empty change', () => {
    expect(
      lines({
        actor: alice,
        changes: [{ kind: 'added', subject: bob }, { kind: 'description', text: 'x' }, { kind: 'access' }],
      }),
    ).toEqual([
      'Alice added Bob.',
      'Alice changed the group description.',
      'Alice changed who can edit the group.',
    ]);
    expect(lines({ actor: alice, changes: [] })).toEqual(['The group was updated.']);
  });
});

describe('initials', () => {
  it('takes up to two initials, skipping symbols', () => {
    expect(initials('Book club')).toBe('BC');
    expect(initials('  weekend hiking trip ')).toBe('WH');
    expect(initials('🎉 party')).toBe('P');
    expect(initials('"quoted" name')).toBe('QN');
    expect(initials('🎉')).toBe('#');
  });
});

/** WCAG relative luminance and contrast ratio of two #rrggbb colours. */
function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

describe('memberColour', () => {
  it('is stable per service id and spreads members over the palette', () => {
    expect(memberColour('aci-alice')).toEqual(memberColour('aci-alice'));
    const used = new Set(Array.from({ length: 64 }, (_, i) => memberColour(`member-${i}`).light));
    expect(used.size).toBeGreaterThan(MEMBER_COLOURS.length / 2);
  });

  it('meets 4.5:1 on the incoming bubble in both themes and under white initials', () => {
    // renderer/styles/app.css --bubble-in (light / dark) and --panel.
    for (const { light, dark } of MEMBER_COLOURS) {
      expect(contrast(light, '#eef1f5'), light).toBeGreaterThanOrEqual(4.5);
      expect(contrast(light, '#ffffff'), light).toBeGreaterThanOrEqual(4.5);
      expect(contrast(dark, '#262b33'), dark).toBeGreaterThanOrEqual(4.5);
      expect(contrast(dark, '#1d2127'), dark).toBeGreaterThanOrEqual(4.5);
    }
  });
});

describe('sameServiceId', () => {
  it('ignores the ACI prefix and case, never a PNI', () => {
    expect(sameServiceId('ACI:ABCDEF', 'abcdef')).toBe(true);
    expect(sameServiceId('abcdef', 'abcdef')).toBe(true);
    expect(sameServiceId('PNI:abcdef', 'abcdef')).toBe(false);
  });
});

describe('howWeLeft', () => {
  it('tells our leaving from our removal by the latest change that took us out', () => {
    const left: GroupChange = { actor: you, changes: [{ kind: 'left', subject: you }] };
    const removed: GroupChange = { actor: alice, changes: [{ kind: 'removed', subject: you }] };
    const other: GroupChange = { actor: alice, changes: [{ kind: 'removed', subject: bob }] };
    expect(howWeLeft([removed, other], isUs)).toBe('removed');
    expect(howWeLeft([removed, left], isUs)).toBe('left');
    expect(howWeLeft([{ actor: you, changes: [{ kind: 'removed', subject: you }] }], isUs)).toBe('left');
    expect(howWeLeft([{ actor: null, changes: [{ kind: 'removed', subject: you }] }], isUs)).toBe('removed');
    expect(howWeLeft([other], isUs)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import {
  applyRecommended,
  auditSettings,
  auditSummary,
  type AccountFacts,
  type AuditItemId,
} from './audit.js';
import { DEFAULT_SETTINGS, settingsSchema, type Settings } from './schema.js';

const weakest: Settings = {
  disappearingDefaultSeconds: 0,
  autoLockSeconds: 0,
  lockOnSuspend: false,
  linkPreviews: true,
  notificationPrivacy: 'name-and-message',
  screenSecurity: false,
  proxy: { mode: 'none' },
  blockUnknownSenders: 'off',
  readReceipts: true,
};
const badFacts: AccountFacts = { pinSet: false, registrationLock: false, noPassphraseMode: true };
const goodFacts: AccountFacts = {
  pinSet: true,
  pinStrengthBits: 142.9,
  registrationLock: true,
  noPassphraseMode: false,
};

const ALL_IDS: AuditItemId[] = [
  'pin-set',
  'pin-strength',
  'registration-lock',
  'disappearing-default',
  'link-previews',
  'screen-lock',
  'notification-privacy',
  'proxy',
  'screen-security',
  'unknown-senders',
  'passphrase',
];

describe('hardening audit', () => {
  it('flags every item on the weakest configuration', () => {
    const items = auditSettings(weakest, badFacts);
    expect(items.map((i) => i.id)).toEqual(ALL_IDS);
    for (const entry of items) {
      expect(entry.status, entry.id).toBe('advice');
      expect(entry.advice.length).toBeGreaterThan(20);
    }
    expect(auditSummary(items)).toEqual({ ok: 0, advice: 11, total: 11, unavailable: 0 });
    // Things that need the user carry no patch.
    const userOnly = items.filter((i) => i.needsUserAction).map((i) => i.id);
    expect(userOnly.sort()).toEqual(['passphrase', 'pin-set', 'pin-strength', 'proxy', 'registration-lock']);
  });

  it('is all ok on a fully hardened configuration', () => {
    const hardened: Settings = { ...applyRecommended(weakest), proxy: { mode: 'tor' } };
    const items = auditSettings(hardened, goodFacts);
    expect(items.filter((i) => i.status === 'advice')).toEqual([]);
  });

  it('applyRecommended fixes what it can and leaves PIN, proxy and passphrase as advice', () => {
    const fixed = applyRecommended(weakest);
    expect(settingsSchema.safeParse(fixed).success).toBe(true);
    expect(fixed).toEqual({
      disappearingDefaultSeconds: 604_800,
      autoLockSeconds: 300,
      lockOnSuspend: true,
      linkPreviews: false,
      notificationPrivacy: 'no-name-or-message',
      screenSecurity: true,
      proxy: { mode: 'none' }, // needs a host or a running Tor: never switched on by itself
      blockUnknownSenders: 'hold-as-request',
      readReceipts: true, // a choice between people, as in Signal: the audit leaves it alone
    });
    const remaining = auditSettings(fixed, badFacts)
      .filter((i) => i.status === 'advice')
      .map((i) => i.id);
    expect(remaining.sort()).toEqual(['passphrase', 'pin-set', 'pin-strength', 'proxy', 'registration-lock']);
    expect(weakest.linkPreviews).toBe(true); // pure: input untouched
  });

  it('keeps user choices that already satisfy the advice', () => {
    const custom: Settings = {
      ...DEFAULT_SETTINGS,
      disappearingDefaultSeconds: 86_400,
      autoLockSeconds: 60,
      blockUnknownSenders: 'drop',
      proxy: { mode: 'socks5', host: '10.0.0.2', port: 1080 },
    };
    expect(applyRecommended(custom)).toEqual(custom);
    // A too-long auto-lock is shortened; lock on suspend is turned on.
    expect(applyRecommended({ ...custom, autoLockSeconds: 86_400, lockOnSuspend: false })).toMatchObject({
      autoLockSeconds: 300,
      lockOnSuspend: true,
    });
  });

  it('flags a weak PIN separately from a missing one, and the defaults need only user actions + the timer', () => {
    const weakPin = auditSettings(DEFAULT_SETTINGS, { ...goodFacts, pinStrengthBits: 19.9 });
    expect(weakPin.find((i) => i.id === 'pin-set')?.status).toBe('ok');
    expect(weakPin.find((i) => i.id === 'pin-strength')?.status).toBe('advice');
    expect(weakPin.find((i) => i.id === 'pin-strength')?.advice).toMatch(/20 bits/);
    const defaults = auditSettings(DEFAULT_SETTINGS, goodFacts)
      .filter((i) => i.status === 'advice')
      .map((i) => i.id);
    expect(defaults.sort()).toEqual(['disappearing-default', 'proxy']);
  });

  it('says PIN backup is not available in a build without it, instead of asking for a PIN', () => {
    const items = auditSettings(DEFAULT_SETTINGS, { ...badFacts, pinBackupAvailable: false });
    for (const id of ['pin-set', 'pin-strength', 'registration-lock'] as const) {
      const entry = items.find((i) => i.id === id)!;
      expect(entry.status, id).toBe('unavailable');
      expect(entry.advice, id).toMatch(/not available in this build/i);
      expect(entry.needsUserAction, id).toBe(false);
    }
  });

  it('never ticks screen security where it cannot work: not available here, nothing to apply', () => {
    const items = auditSettings(
      { ...DEFAULT_SETTINGS, screenSecurity: true },
      {
        ...goodFacts,
        screenSecurityAvailable: false,
      },
    );
    const entry = items.find((i) => i.id === 'screen-security');
    expect(entry?.status).toBe('unavailable');
    expect(entry?.advice).toMatch(/^Not available here/);
    expect(entry?.recommendedPatch).toBeUndefined();
    expect(entry?.needsUserAction).toBe(false);
  });

  it('counts only ok and advice in the score: what is unavailable here is neither', () => {
    const items = auditSettings(DEFAULT_SETTINGS, {
      ...badFacts,
      pinBackupAvailable: false,
      screenSecurityAvailable: false,
    });
    const summary = auditSummary(items);
    expect(summary.unavailable).toBe(4);
    expect(summary.ok + summary.advice).toBe(summary.total);
    expect(summary.total).toBe(items.length - 4);
    expect(items.filter((i) => i.status === 'unavailable').every((i) => !i.recommendedPatch)).toBe(true);
  });
});

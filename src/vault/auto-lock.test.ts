import { afterEach, describe, expect, it } from 'vitest';
import { setLogSink } from '../log.js';
import { AUTO_LOCK_CHOICES_MS, AutoLock, DEFAULT_AUTO_LOCK_MS } from './auto-lock.js';
import type { AutoLockTimers } from './auto-lock.js';
import { createTestProfile, TEST_KDF } from '../test-support/vault.js';
import { Vault } from './vault.js';
import type { LockReason } from './vault.js';

/** A manual clock + timer queue: time only moves when the test says so. */
class FakeTime implements AutoLockTimers {
  now = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();
  clock = (): number => this.now;
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.now + ms, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  get armed(): number {
    return this.pending.size;
  }
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.pending.entries()]
        .filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.now = due[1].at;
      due[1].callback();
    }
    this.now = end;
  }
}

const disposers: (() => void)[] = [];
afterEach(() => {
  while (disposers.length) disposers.pop()?.();
});

async function unlockedVault(): Promise<{ vault: Vault; reasons: LockReason[] }> {
  setLogSink(() => {});
  const profile = createTestProfile();
  const vault = new Vault(profile.dir, { kdf: TEST_KDF });
  disposers.push(() => {
    vault.lock();
    profile.dispose();
  });
  await vault.create(Buffer.from('auto lock'));
  const reasons: LockReason[] = [];
  vault.onLocked((r) => reasons.push(r));
  return { vault, reasons };
}

describe('AutoLock', () => {
  it('offers off, 1 min … 1 day, default 5 min', () => {
    expect(AUTO_LOCK_CHOICES_MS[0]).toBeNull();
    expect(AUTO_LOCK_CHOICES_MS).toContain(60_000);
    expect(AUTO_LOCK_CHOICES_MS.at(-1)).toBe(24 * 60 * 60_000);
    expect(AUTO_LOCK_CHOICES_MS).toContain(DEFAULT_AUTO_LOCK_MS);
    expect(DEFAULT_AUTO_LOCK_MS).toBe(5 * 60_000);
  });

  it('locks after the timeout, and touch() postpones it', async () => {
    const { vault, reasons } = await unlockedVault();
    const time = new FakeTime();
    const auto = new AutoLock(vault, { timeoutMs: 60_000, clock: time.clock, timers: time });
    disposers.unshift(() => auto.dispose());

    time.advance(50_000);
    auto.touch(); // activity at t=50 s → lock due at t=110 s
    time.advance(50_000);
    expect(vault.state).toBe('unlocked');
    time.advance(9_999);
    expect(vault.state).toBe('unlocked');
    time.advance(1);
    expect(vault.state).toBe('locked');
    expect(reasons).toEqual(['timer']);
    expect(time.armed).toBe(0);

    // After the next unlock the countdown starts again from the unlock.
    await vault.unlock(Buffer.from('auto lock'));
    expect(time.armed).toBe(1);
    time.advance(60_000);
    expect(vault.state).toBe('locked');
  });

  it('off never locks; changing the timeout applies at once; dispose stops it', async () => {
    const { vault } = await unlockedVault();
    const time = new FakeTime();
    const auto = new AutoLock(vault, { timeoutMs: null, clock: time.clock, timers: time });
    time.advance(7 * 24 * 3_600_000);
    expect(vault.state).toBe('unlocked');
    expect(time.armed).toBe(0);

    auto.setTimeoutMs(60_000); // counts from the last activity (construction at t=0): already overdue
    time.advance(0);
    expect(vault.state).toBe('locked');

    await vault.unlock(Buffer.from('auto lock'));
    auto.dispose();
    time.advance(3_600_000);
    expect(vault.state).toBe('unlocked');
    expect(() => auto.setTimeoutMs(-5)).toThrow(RangeError);
  });

  it('a manual lock cancels the timer', async () => {
    const { vault, reasons } = await unlockedVault();
    const time = new FakeTime();
    const auto = new AutoLock(vault, { timeoutMs: 60_000, clock: time.clock, timers: time });
    disposers.unshift(() => auto.dispose());
    vault.lock('suspend');
    expect(time.armed).toBe(0);
    time.advance(120_000);
    expect(reasons).toEqual(['suspend']);
  });
});

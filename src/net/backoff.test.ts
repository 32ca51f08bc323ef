import { describe, expect, it } from 'vitest';
import { Backoff, CHAT_RECONNECT, backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('grows exponentially up to the ceiling, with jitter in [d/2, d]', () => {
    const policy = { initialMs: 1000, maxMs: 60_000, factor: 2 };
    expect(backoffDelay(0, policy, () => 0)).toBe(500);
    expect(backoffDelay(0, policy, () => 1)).toBe(1000);
    expect(backoffDelay(3, policy, () => 1)).toBe(8000);
    expect(backoffDelay(20, policy, () => 1)).toBe(60_000);
    expect(backoffDelay(20, policy, () => 0)).toBe(30_000);
  });

  it('treats a negative attempt as the first', () => {
    expect(backoffDelay(-3, CHAT_RECONNECT, () => 1)).toBe(CHAT_RECONNECT.initialMs);
  });
});

describe('Backoff', () => {
  it('steps through the delays and starts over after reset()', () => {
    const backoff = new Backoff(CHAT_RECONNECT, () => 1);
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([500, 1000, 2000]);
    for (let i = 0; i < 20; i += 1) backoff.next();
    expect(backoff.next()).toBe(30_000);
    backoff.reset();
    expect(backoff.next()).toBe(500);
  });
});

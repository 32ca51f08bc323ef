import { describe, expect, it } from 'vitest';
import { Backoff, CHAT_RECONNECT } from './backoff.js';

describe('Backoff', () => {
  it('grows exponentially up to the ceiling, with jitter in [d/2, d]', () => {
    const policy = { initialMs: 1000, maxMs: 60_000, factor: 2 };
    const low = new Backoff(policy, () => 0);
    const high = new Backoff(policy, () => 1);
    const lows = Array.from({ length: 21 }, () => low.next());
    const highs = Array.from({ length: 21 }, () => high.next());
    expect(lows[0]).toBe(500);
    expect(highs[0]).toBe(1000);
    expect(highs[3]).toBe(8000);
    expect(highs[20]).toBe(60_000);
    expect(lows[20]).toBe(30_000);
  });

  it('steps through the chat policy and starts over after reset()', () => {
    const backoff = new Backoff(CHAT_RECONNECT, () => 1);
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([500, 1000, 2000]);
    for (let i = 0; i < 20; i += 1) backoff.next();
    expect(backoff.next()).toBe(30_000);
    backoff.reset();
    expect(backoff.next()).toBe(500);
  });
});

import { describe, expect, it } from 'vitest';
import { within } from './within.js';

const after = <T>(ms: number, value: T): Promise<T> =>
  new Promise((resolve) => setTimeout(() => resolve(value), ms));

describe('within', () => {
  it('is "settled" as soon as the work is done, well before the limit', async () => {
    const started = performance.now();
    await expect(within(after(5, 'x'), 5_000)).resolves.toBe('settled');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('is "timed-out" when the work takes longer than the limit, and does not wait for it', async () => {
    let done = false;
    const slow = after(3_000, undefined).then(() => (done = true));
    await expect(within(slow, 20)).resolves.toBe('timed-out');
    expect(done).toBe(false);
  });

  it('rethrows the work’s own failure', async () => {
    await expect(within(Promise.reject(new Error('boom')), 1_000)).rejects.toThrow('boom');
  });

  it('never waits for a work that cannot end: a promise nobody resolves times out', async () => {
    await expect(within(new Promise(() => undefined), 10)).resolves.toBe('timed-out');
  });
});

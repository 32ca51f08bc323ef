/**
 * The receive window's scheduling: envelopes handed in together form one batch (at most `max`), and the
 * event loop gets a turn between batches — what a batch's commit wrote to the socket (its acks) goes
 * out, and what the socket read meanwhile joins the next batch, before that batch is decrypted.
 */
import { describe, expect, it } from 'vitest';
import { SerialQueue } from '../async/serial-queue.js';
import { ReceiveWindow } from './receive-window.js';

describe('ReceiveWindow', () => {
  it('batches what was handed in together, at most max per batch, in order', async () => {
    const batches: number[][] = [];
    const window = new ReceiveWindow<number, number>({
      lock: new SerialQueue(),
      max: 4,
      run: (batch) => {
        batches.push(batch.map((b) => b.item));
        for (const b of batch) b.resolve(b.item * 10);
        return Promise.resolve();
      },
    });
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => window.add(n)));
    expect(results).toEqual([10, 20, 30, 40, 50, 60]);
    expect(batches).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ]);
  });

  it('lets the event loop run between batches, so work a commit scheduled (the acks) is not held back', async () => {
    const log: string[] = [];
    const window = new ReceiveWindow<number, void>({
      lock: new SerialQueue(),
      max: 64,
      run: async (batch) => {
        log.push(`batch of ${batch.length}`);
        // What the socket does with an ack written after the commit: it goes out on a later turn.
        setImmediate(() => log.push('acks written'));
        await Promise.resolve();
        for (const b of batch) b.resolve();
      },
    });
    await Promise.all(Array.from({ length: 70 }, (_, i) => window.add(i)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['batch of 64', 'acks written', 'batch of 6', 'acks written']);
  });

  it('rejects every envelope of a batch whose run threw, and goes on with the next', async () => {
    let calls = 0;
    const window = new ReceiveWindow<number, string>({
      lock: new SerialQueue(),
      max: 2,
      run: (batch) => {
        calls += 1;
        if (calls === 1) return Promise.reject(new Error('vault failed'));
        for (const b of batch) b.resolve('ok');
        return Promise.resolve();
      },
    });
    const outcomes = await Promise.allSettled([1, 2, 3].map((n) => window.add(n)));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
  });
});

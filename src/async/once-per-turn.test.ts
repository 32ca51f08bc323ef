import { describe, expect, it } from 'vitest';
import { oncePerTurn } from './once-per-turn.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('oncePerTurn', () => {
  it('runs once after the turn however often it was asked in it, and again when asked in a later turn', async () => {
    let runs = 0;
    const soon = oncePerTurn(() => {
      runs += 1;
    });
    soon();
    soon();
    soon();
    expect(runs).toBe(0);
    await nextTurn();
    expect(runs).toBe(1);
    soon();
    await nextTurn();
    expect(runs).toBe(2);
  });
});

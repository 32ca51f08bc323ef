import { beforeEach, describe, expect, it } from 'vitest';
import { dismissToast, pushToast, useStore } from './store.js';

describe('toasts', () => {
  beforeEach(() => useStore.setState({ toasts: [] }));

  it('keeps the three newest, the newest last', () => {
    for (let i = 1; i <= 5; i += 1) pushToast({ kind: 'message', title: `t${i}` });
    expect(useStore.getState().toasts.map((t) => t.title)).toEqual(['t3', 't4', 't5']);
  });

  it('dismisses one by its id', () => {
    const first = pushToast({ kind: 'info', title: 'a' });
    pushToast({ kind: 'info', title: 'b' });
    dismissToast(first);
    expect(useStore.getState().toasts.map((t) => t.title)).toEqual(['b']);
  });
});

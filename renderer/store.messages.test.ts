import { beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '../src/api/contract.js';
import { apiMessage } from './test-support/api-message.js';
import { addMessages, useStore } from './store.js';

function message(id: string, conversationId = 'open'): Message {
  return apiMessage({ id, conversationId, body: `body ${id}` });
}

describe('addMessages', () => {
  beforeEach(() => {
    useStore.setState({ openId: 'open', messages: [message('a')], total: 1, newerCursor: null });
  });

  it('adds a burst in one update: only the open conversation’s, each message once', () => {
    let updates = 0;
    const off = useStore.subscribe(() => (updates += 1));
    const burst = Array.from({ length: 2000 }, (_, i) => message(`m${i}`, i % 2 ? 'open' : 'other'));
    addMessages([...burst, message('a'), message('m1')]);
    off();
    const { messages, total } = useStore.getState();
    expect(updates).toBe(1);
    expect(messages).toHaveLength(1001);
    expect(new Set(messages.map((m) => m.id)).size).toBe(1001);
    expect(messages.every((m) => m.conversationId === 'open')).toBe(true);
    expect(total).toBe(1001);
  });

  it('counts but does not show new messages while older pages are shown', () => {
    useStore.setState({ newerCursor: 'cursor' });
    addMessages([message('b'), message('c')]);
    expect(useStore.getState().messages.map((m) => m.id)).toEqual(['a']);
    expect(useStore.getState().total).toBe(3);
  });

  it('changes nothing, and renders nothing, for messages of other conversations', () => {
    let updates = 0;
    const off = useStore.subscribe(() => (updates += 1));
    addMessages([message('x', 'other'), message('a')]);
    off();
    expect(updates).toBe(0);
  });
});

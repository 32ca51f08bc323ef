import { describe, expect, it } from 'vitest';
import { contactHandle } from './handle.js';

describe("the chat header's second line", () => {
  it('shows the number and the username, each only where it is not already the title', () => {
    expect(contactHandle({ title: 'Grace', e164: '+15550100', username: 'grace.42' })).toBe(
      '+15550100 · grace.42',
    );
    expect(contactHandle({ title: 'Grace', username: 'grace.42' })).toBe('grace.42');
    expect(contactHandle({ title: 'grace.42', username: 'grace.42' })).toBe('');
    expect(contactHandle({ title: '+15550100', e164: '+15550100', username: 'grace.42' })).toBe('grace.42');
    expect(contactHandle({ title: 'Unknown contact' })).toBe('');
  });
});

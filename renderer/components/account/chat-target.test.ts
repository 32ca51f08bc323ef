import { describe, expect, it } from 'vitest';
import { classifyChatTarget } from './chat-target.js';

describe('new chat: what was typed', () => {
  it('tells usernames, links, numbers and Signal IDs apart', () => {
    expect(classifyChatTarget('  name.42 ')).toEqual({ kind: 'username', username: 'name.42' });
    expect(classifyChatTarget('@ada_l.07')).toEqual({ kind: 'username', username: 'ada_l.07' });
    expect(classifyChatTarget('https://signal.me/#eu/abc-_DEF')).toEqual({
      kind: 'usernameLink',
      usernameLink: 'https://signal.me/#eu/abc-_DEF',
    });
    expect(classifyChatTarget('signal.me/#eu/xyz')?.kind).toBe('usernameLink');
    expect(classifyChatTarget('+1 (555) 123-4567')).toEqual({ kind: 'e164', e164: '+15551234567' });
    expect(classifyChatTarget('7F0C3A52-0D4C-4C43-9F7E-2F7A4D6A1B11')).toEqual({
      kind: 'serviceId',
      serviceId: '7f0c3a52-0d4c-4c43-9f7e-2f7a4d6a1b11',
    });
  });

  it('leaves anything else to the core as a username (it says what is wrong), and nothing for blanks', () => {
    expect(classifyChatTarget('   ')).toBeNull();
    expect(classifyChatTarget('12.34')).toEqual({ kind: 'username', username: '12.34' });
    expect(classifyChatTarget('https://example.com/#eu/x')).toEqual({
      kind: 'username',
      username: 'https://example.com/#eu/x',
    });
  });
});

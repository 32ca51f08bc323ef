import { describe, expect, it } from 'vitest';
import { NOTIFICATION_PRIVACY } from '../src/settings/schema.js';
import { formatNotification, shouldNotify } from './notifications.js';

const APP_NAME = 'Carapace';

const message = { conversationName: 'Alice', body: 'Meet at 6 by the north gate' };

describe('formatNotification', () => {
  it('name-and-message shows the sender and the text, with sound', () => {
    expect(formatNotification('name-and-message', false, message)).toEqual({
      title: 'Alice',
      body: 'Meet at 6 by the north gate',
      silent: false,
    });
  });

  it('name-only shows the sender but never the text', () => {
    const content = formatNotification('name-only', false, message);
    expect(content).toEqual({ title: 'Alice', body: 'New message', silent: false });
    expect(JSON.stringify(content)).not.toContain('north gate');
  });

  it('no-name-or-message is a silent notification with no sender and no body text', () => {
    const content = formatNotification('no-name-or-message', false, message);
    expect(content).toEqual({ title: APP_NAME, body: '', silent: true });
    expect(JSON.stringify(content)).not.toContain('Alice');
    expect(JSON.stringify(content)).not.toContain('north gate');
  });

  it('shows nothing at all while locked, whatever the privacy level', () => {
    for (const privacy of NOTIFICATION_PRIVACY) expect(formatNotification(privacy, true, message)).toBeNull();
  });

  it('clips long text and copes with empty names and attachment-only messages', () => {
    const long = formatNotification('name-and-message', false, {
      conversationName: 'B'.repeat(200),
      body: 'x'.repeat(1000),
    });
    expect(long?.title.length).toBeLessThanOrEqual(64);
    expect(long?.body.length).toBeLessThanOrEqual(160);
    expect(long?.body.endsWith('…')).toBe(true);
    expect(
      formatNotification('name-and-message', false, { conversationName: '  ', body: undefined }),
    ).toEqual({
      title: APP_NAME,
      body: 'New message',
      silent: false,
    });
  });
});

describe('shouldNotify', () => {
  it('notifies for incoming text only, and only when the window is not focused', () => {
    expect(shouldNotify({ direction: 'in', kind: 'text' }, false)).toBe(true);
    expect(shouldNotify({ direction: 'in', kind: 'text' }, true)).toBe(false);
    expect(shouldNotify({ direction: 'out', kind: 'text' }, false)).toBe(false);
    expect(shouldNotify({ direction: 'in', kind: 'identity-changed' }, false)).toBe(false);
    expect(shouldNotify({ direction: 'in', kind: 'decryption-failed' }, false)).toBe(false);
  });
});

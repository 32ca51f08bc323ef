import { describe, expect, it } from 'vitest';
import { NOTIFICATION_PRIVACY } from '../src/settings/schema.js';
import { formatNotification, shouldNotify, type CoreAlert } from './notifications.js';

const APP_NAME = 'Carapace';

/** What the core's alert says under name-and-message (the core applied the privacy setting already). */
const alert: CoreAlert = { kind: 'message', title: 'Alice', body: 'Meet at 6 by the north gate' };

describe('formatNotification', () => {
  it('shows the core alert’s sender and text, with sound', () => {
    expect(formatNotification('name-and-message', false, alert)).toEqual({
      title: 'Alice',
      body: 'Meet at 6 by the north gate',
      silent: false,
    });
    expect(
      formatNotification('name-only', false, { kind: 'message', title: 'Alice', body: 'New message' }),
    ).toEqual({ title: 'Alice', body: 'New message', silent: false });
  });

  it('no-name-or-message is a silent notification with no sender and no body text', () => {
    const content = formatNotification('no-name-or-message', false, alert);
    expect(content).toEqual({ title: APP_NAME, body: '', silent: true });
    expect(JSON.stringify(content)).not.toContain('Alice');
    expect(JSON.stringify(content)).not.toContain('north gate');
  });

  it('shows nothing at all while locked, whatever the privacy level', () => {
    for (const privacy of NOTIFICATION_PRIVACY) expect(formatNotification(privacy, true, alert)).toBeNull();
  });

  it('clips long text to what an OS notification shows, and never has an empty title', () => {
    const long = formatNotification('name-and-message', false, {
      kind: 'message',
      title: 'B'.repeat(200),
      body: 'x'.repeat(1000),
    });
    expect(long?.title.length).toBeLessThanOrEqual(64);
    expect(long?.body.length).toBeLessThanOrEqual(160);
    expect(long?.body.endsWith('…')).toBe(true);
    expect(formatNotification('name-and-message', false, { kind: 'message', title: '  ' })).toEqual({
      title: APP_NAME,
      body: '',
      silent: false,
    });
  });
});

describe('shouldNotify', () => {
  it('notifies for new-message alerts only, and only when the window is not focused', () => {
    expect(shouldNotify(alert, false)).toBe(true);
    expect(shouldNotify(alert, true)).toBe(false);
    expect(shouldNotify({ kind: 'info', title: 'Saved' }, false)).toBe(false);
    expect(shouldNotify({ kind: 'error', title: 'Could not send' }, false)).toBe(false);
  });
});

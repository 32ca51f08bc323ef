import { describe, expect, it } from 'vitest';
import { notificationText, severalConversationsText } from './notification-text.js';

const NEW_MESSAGE = 'New message';

const limits = { sender: 64, text: 160 };
const message = { conversationName: 'Alice', body: 'Meet at 6 by the north gate' };

describe('notificationText', () => {
  it('reveals the sender and the text only as far as the privacy setting allows', () => {
    expect(notificationText('name-and-message', message, limits)).toEqual({
      sender: 'Alice',
      text: 'Meet at 6 by the north gate',
    });
    expect(notificationText('name-only', message, limits)).toEqual({ sender: 'Alice', text: NEW_MESSAGE });
    const none = notificationText('no-name-or-message', message, limits);
    expect(none).toEqual({ sender: null, text: NEW_MESSAGE });
    expect(JSON.stringify(none)).not.toContain('Alice');
  });

  it('clips long names and text, and says NEW_MESSAGE for attachment-only messages', () => {
    const long = notificationText(
      'name-and-message',
      { conversationName: 'B'.repeat(200), body: 'x'.repeat(999) },
      limits,
    );
    expect(long.sender?.length).toBe(64);
    expect(long.text.length).toBe(160);
    expect(long.text.endsWith('…')).toBe(true);
    expect(notificationText('name-and-message', { conversationName: '  ', body: undefined }, limits)).toEqual(
      {
        sender: null,
        text: NEW_MESSAGE,
      },
    );
  });

  it('counts several messages of one conversation instead of quoting one, under every setting', () => {
    expect(notificationText('name-and-message', message, limits, 3)).toEqual({
      sender: 'Alice',
      text: '3 new messages',
    });
    expect(notificationText('name-only', message, limits, 3)).toEqual({
      sender: 'Alice',
      text: '3 new messages',
    });
    expect(notificationText('no-name-or-message', message, limits, 3)).toEqual({
      sender: null,
      text: '3 new messages',
    });
  });
});

describe('severalConversationsText', () => {
  it('gives counts only', () => {
    expect(severalConversationsText(812, 5)).toBe('812 new messages in 5 chats');
  });
});

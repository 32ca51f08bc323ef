import { describe, expect, it } from 'vitest';
import {
  ConversationSchema,
  MESSAGE_CHANGE_WINDOW_MS,
  type Conversation,
  type Message,
} from '../../../src/api/contract.js';
import { apiMessage } from '../../test-support/api-message.js';
import { allowedActions, offersDetails } from './message-rules.js';

const NOW = 1_800_000_000_000;

function message(fields: Partial<Message> = {}): Message {
  return apiMessage({
    direction: 'out',
    sentAt: NOW - 60_000,
    receivedAt: NOW - 60_000,
    status: 'delivered',
    ...fields,
  });
}

function conversation(fields: Partial<Conversation> = {}): Conversation {
  return ConversationSchema.parse({
    id: 'c1',
    title: 'Dana',
    serviceId: null,
    unreadCount: 0,
    lastMessageAt: null,
    lastMessagePreview: null,
    expireTimerSeconds: null,
    safetyNumberChanged: false,
    verified: 'default',
    blocked: false,
    isRequest: false,
    isContact: true,
    ...fields,
  });
}

describe('which actions a message offers', () => {
  it('offers everything on our own sent text within the window', () => {
    expect(allowedActions(message(), conversation(), NOW)).toEqual({
      resend: false,
      react: true,
      reply: true,
      edit: true,
      deleteForEveryone: true,
    });
  });

  it('offers no edit and no delete for everyone after the window, before sending, or on theirs', () => {
    const late = message({ sentAt: NOW - MESSAGE_CHANGE_WINDOW_MS - 1 });
    for (const m of [
      late,
      message({ status: 'sending' }),
      message({ status: 'failed' }),
      message({ direction: 'in', status: 'received' }),
    ]) {
      const allowed = allowedActions(m, conversation(), NOW);
      expect(allowed.edit || allowed.deleteForEveryone, `${m.direction} ${m.status} ${m.sentAt}`).toBe(false);
      expect(allowed.react && allowed.reply).toBe(true);
    }
  });

  it('offers "Send again" only on our failed message, in a chat we may write to', () => {
    const failed = message({ status: 'failed' });
    expect(allowedActions(failed, conversation(), NOW).resend).toBe(true);
    for (const m of [
      message({ status: 'sending' }),
      message({ status: 'sent' }),
      message({ direction: 'in', status: 'received' }),
      message({ status: 'failed', deleted: true }),
    ]) {
      expect(allowedActions(m, conversation(), NOW).resend, `${m.direction} ${m.status}`).toBe(false);
    }
    expect(allowedActions(failed, conversation({ blocked: true }), NOW).resend).toBe(false);
  });

  it('offers only delete for me on a tombstone or an event; no reply to view-once; nothing writable in a request', () => {
    for (const m of [message({ deleted: true }), message({ kind: 'timer-changed' })]) {
      expect(Object.values(allowedActions(m, conversation(), NOW)).some(Boolean)).toBe(false);
    }
    const viewOnce = allowedActions(message({ viewOnce: true }), conversation(), NOW);
    expect([viewOnce.reply, viewOnce.edit, viewOnce.react]).toEqual([false, false, true]);
    for (const c of [conversation({ isRequest: true }), conversation({ blocked: true })]) {
      const allowed = allowedActions(message({ direction: 'in', status: 'received' }), c, NOW);
      expect([allowed.react, allowed.reply]).toEqual([false, false]);
    }
  });
});

describe('in a group', () => {
  const inGroup = (membership: 'member' | 'invited' | 'left') =>
    ({ ...conversation(), group: { memberCount: 3, membership } }) as Conversation;

  it('offers nothing that writes once we left, and details on our own messages', () => {
    expect(allowedActions(message(), inGroup('member'), NOW)).toEqual({
      resend: false,
      react: true,
      reply: true,
      edit: true,
      deleteForEveryone: true,
    });
    expect(Object.values(allowedActions(message(), inGroup('left'), NOW)).some(Boolean)).toBe(false);
    expect(offersDetails(message(), inGroup('member'))).toBe(true);
    expect(offersDetails(message({ direction: 'in', status: 'received' }), inGroup('member'))).toBe(false);
    expect(offersDetails(message(), conversation())).toBe(false);
  });
});

import { MessageSchema, type Message } from '../../src/api/contract.js';

/** A valid API message for renderer tests: an incoming text with every field set, `fields` on top. */
export function apiMessage(fields: Partial<Message> = {}): Message {
  return MessageSchema.parse({
    id: 'm1',
    conversationId: 'c1',
    kind: 'text',
    direction: 'in',
    body: 'hi',
    sentAt: 1,
    receivedAt: 1,
    status: 'received',
    expireTimerSeconds: null,
    expiresAt: null,
    attachments: [],
    preview: null,
    viewOnce: false,
    viewed: false,
    ...fields,
  });
}

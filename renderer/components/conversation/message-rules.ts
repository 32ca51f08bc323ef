/** Which actions a message offers (Signal's rules; the core checks again and refuses with a sentence). */
import { MESSAGE_CHANGE_WINDOW_MS, type Conversation, type Message } from '../../../src/api/contract.js';

/** Edit and delete for everyone: our own sent text, within Signal's window after sending. */
export function allowedActions(message: Message, conversation: Conversation, now = Date.now()) {
  const live = message.kind === 'text' && !message.deleted;
  const sent =
    message.direction === 'out' &&
    ['sent', 'delivered', 'read'].includes(message.status) &&
    now - message.sentAt < MESSAGE_CHANGE_WINDOW_MS;
  const writable = !conversation.isRequest && !conversation.blocked;
  return {
    react: live && writable,
    reply: live && writable && !message.viewOnce,
    edit: live && writable && sent && !message.viewOnce && message.body !== '',
    deleteForEveryone: live && sent,
  };
}

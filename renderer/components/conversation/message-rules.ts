/** Which actions a message offers (Signal's rules; the core checks again and refuses with a sentence). */
import { MESSAGE_CHANGE_WINDOW_MS, type Conversation, type Message } from '../../../src/api/contract.js';
import { groupOf } from '../group/group-api.js';

/**
 * Edit and delete for everyone: our own sent text, within Signal's window after sending. Nothing is written
 * to a group we are no longer a member of.
 */
export function allowedActions(message: Message, conversation: Conversation, now = Date.now()) {
  const live = message.kind === 'text' && !message.deleted;
  const sent =
    message.direction === 'out' &&
    ['sent', 'delivered', 'read'].includes(message.status) &&
    now - message.sentAt < MESSAGE_CHANGE_WINDOW_MS;
  const group = groupOf(conversation);
  const member = (group?.membership ?? 'member') === 'member';
  const writable = !conversation.isRequest && !conversation.blocked && member;
  return {
    /** "Send again": our message that failed (the core refuses it once it is sending or sent). */
    resend: live && writable && message.direction === 'out' && message.status === 'failed',
    react: live && writable,
    reply: live && writable && !message.viewOnce,
    edit: live && writable && sent && !message.viewOnce && message.body !== '',
    deleteForEveryone: live && sent && member,
  };
}

/** Our own message in a group has details: each member's delivery (messages.recipients). */
export function offersDetails(message: Message, conversation: Conversation): boolean {
  return (
    groupOf(conversation) !== null &&
    message.kind === 'text' &&
    message.direction === 'out' &&
    !message.deleted
  );
}

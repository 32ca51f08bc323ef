/**
 * View-once media: the receiver may open it once, then only a "viewed" marker stays; the sender keeps
 * no copy at all (as Signal). Both run in the client's write queue.
 */
import { AlreadyViewedError, NotFoundError, PreconditionError } from '../errors.js';
import type { AttachmentRecords } from './attachments/records.js';
import type { AttachmentBytes } from './attachments/service.js';
import type { Message, MessageStore } from './store.js';

/**
 * Returns a received view-once message's media bytes once (for display; the caller zeroes them
 * afterwards), then deletes the attachments' bytes and marks the message viewed. A second call throws
 * AlreadyViewedError. Not yet downloaded → the read fails and nothing changes.
 */
export function openViewOnce(
  store: MessageStore,
  records: AttachmentRecords,
  messageId: string,
): AttachmentBytes[] {
  const message = store.getMessage(messageId);
  if (!message) throw new NotFoundError('No such message.');
  if (!message.viewOnce) throw new PreconditionError('This is not a view-once message.');
  if (message.viewed) throw new AlreadyViewedError();
  if (message.direction !== 'in') throw new PreconditionError('Only received view-once media opens.');
  const shown: AttachmentBytes[] = [];
  try {
    for (const id of message.attachmentIds) shown.push(records.read(id));
  } catch (error) {
    for (const item of shown) item.bytes.fill(0);
    throw error;
  }
  store.transaction(() => store.markViewed(messageId));
  for (const id of message.attachmentIds) records.delete(id);
  return shown;
}

/** After a view-once message was sent: our copy goes (the sender cannot open it either). */
export function discardSentViewOnce(
  store: MessageStore,
  records: AttachmentRecords | undefined,
  message: Message,
): Message {
  const viewed = store.transaction(() => store.markViewed(message.id));
  for (const id of message.attachmentIds) records?.delete(id);
  return viewed;
}

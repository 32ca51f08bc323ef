/**
 * "Send again" for one of our messages that failed (Signal's retry): which messages qualify and which stored
 * files go up again. The DataMessage is rebuilt from the stored row as at its first send
 * (./outgoing-data-message.ts), under the message's first timestamp, so a recipient that got it after all
 * (the server accepted it, then the answer was lost) drops the copy as a duplicate, as Signal's apps do.
 * The upload and the delivery are the Sender's (./sender.ts `resend`).
 */
import { NotAvailableError, PreconditionError } from '../errors.js';
import { log } from '../log.js';
import type { AttachmentRecords } from './attachments/records.js';
import type { PreparedAttachment } from './attachments/service.js';
import { MessageStore, type Message } from './store.js';
import type { SqlDatabase } from '../vault/sql.js';

/** A stored file of the message to upload again, by its attachment id. */
export interface ResendFile {
  readonly attachmentId: string;
  readonly prepared: PreparedAttachment;
}

/**
 * The files a failed message of ours needs uploaded again (its link preview's image first), or a refusal
 * in one sentence: not ours, not failed (sending, sent, or a second "Send again" already running), an event
 * or a deleted message, or a file that is gone from the vault.
 */
export function resendFiles(message: Message, records: AttachmentRecords | undefined): ResendFile[] {
  if (message.direction !== 'out' || message.kind !== 'message' || message.deleted) {
    throw new PreconditionError('Only your own messages that failed to send can be sent again.');
  }
  if (message.status !== 'failed') {
    throw new PreconditionError('This message did not fail to send, so it is not sent again.');
  }
  if (message.attachmentIds.length === 0) return [];
  if (!records) throw new NotAvailableError('Attachments are not available in this client.');
  return message.attachmentIds.map((attachmentId) => {
    const prepared = records.outgoingCopy(attachmentId);
    if (!prepared) {
      throw new PreconditionError('A file of this message is no longer here, so it cannot be sent again.');
    }
    return { attachmentId, prepared };
  });
}

/**
 * Run at unlock, before anything is shown: a send that was running when the vault closed (a lock, a crash,
 * kill -9) can never finish, so it reads "Not sent" with Send again instead of "sending" for ever. It is
 * never sent again on its own (the user may no longer want it to go).
 */
export function failInterruptedSends(db: SqlDatabase): number {
  const failed = new MessageStore(db).failInterruptedSends();
  if (failed > 0) log.info('messaging.send.interrupted', { failed });
  return failed;
}

/**
 * "Send again" for one of our messages that failed (Signal's retry): which messages qualify, which stored
 * files go up again, and the DataMessage rebuilt from what we stored — the same text, quote, link preview,
 * attachments and view-once flag, under the message's first timestamp, so a recipient that got it after all
 * (the server accepted it, then the answer was lost) drops the copy as a duplicate, as Signal's apps do.
 * The upload and the delivery are the Sender's (./sender.ts `resend`).
 */
import { NotAvailableError, PreconditionError } from '../errors.js';
import { log } from '../log.js';
import type { AttachmentPointer, DataMessage } from '../signal/proto/signal-service.js';
import type { AttachmentRecords } from './attachments/records.js';
import type { PreparedAttachment } from './attachments/service.js';
import { previewField } from './outgoing-preview.js';
import { quoteProto } from './quote-proto.js';
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

/** The DataMessage of a resend: what the first send carried, with the chat's timer fields of now. */
export function resendDataMessage(
  message: Message,
  pointers: ReadonlyMap<string, AttachmentPointer>,
  extras: Pick<DataMessage, 'expireTimer' | 'expireTimerVersion' | 'profileKey'>,
): DataMessage {
  const previewImage = message.preview?.imageAttachmentId ?? null;
  const attachments = message.attachmentIds
    .filter((id) => id !== previewImage)
    .map((id) => pointers.get(id))
    .filter((pointer): pointer is AttachmentPointer => pointer !== undefined);
  const preview = message.preview;
  return {
    ...(message.body !== null && message.body !== '' ? { body: message.body } : {}),
    ...(attachments.length > 0 ? { attachments } : {}),
    timestamp: message.sentAt,
    ...(preview
      ? {
          preview: [
            previewField(
              { url: preview.url, title: preview.title, description: preview.description },
              previewImage !== null ? pointers.get(previewImage) : undefined,
            ),
          ],
        }
      : {}),
    ...(message.quote ? { quote: quoteProto(message.quote) } : {}),
    ...(message.viewOnce ? { isViewOnce: true } : {}),
    ...extras,
  };
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

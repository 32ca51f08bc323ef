/**
 * What the user does to a message after it exists (issue 14): reply with a quote, react, delete for
 * everyone, edit, delete for me — each checked against Signal's rules (./meaning-rules.ts), sent as
 * Signal encodes it, then stored (./meaning.ts). Refusals are typed: NotFoundError for a message we do
 * not have, PreconditionError with a sentence saying why.
 */
import { NotFoundError, PreconditionError } from '../errors.js';
import type { SerialQueue } from '../async/serial-queue.js';
import type { AttachmentInfo } from './attachments/records.js';
import type { MessageMeaning } from './meaning.js';
import { MAX_EDITS, MESSAGE_CHANGE_WINDOW_MS, QUOTE_TEXT_MAX_CHARS } from './meaning-rules.js';
import type { QuoteInput } from './message-meaning.js';
import type { Sender } from './sender.js';
import type { Conversation, Message, MessageStore } from './store.js';

export interface MessageChangesOptions {
  readonly store: MessageStore;
  readonly meaning: MessageMeaning;
  readonly sender: Sender;
  readonly lock: SerialQueue;
  readonly clock: () => number;
  readonly ourAci: string;
  readonly attachmentInfo: (id: string) => AttachmentInfo | undefined;
}

export class MessageChanges {
  constructor(private readonly options: MessageChangesOptions) {}

  /** The quote of a message of this chat, as stored with our reply (and sent from there). */
  quoteOf(conversationId: string, messageId: string): QuoteInput {
    const message = this.message(messageId);
    if (message.conversationId !== conversationId) throw new NotFoundError('No such message in this chat.');
    if (message.kind !== 'message' || message.deleted || message.viewOnce) {
      throw new PreconditionError('Deleted messages, events and view-once media cannot be quoted.');
    }
    const author = message.sourceServiceId ?? this.options.ourAci;
    const text = [...(message.body ?? '')].slice(0, QUOTE_TEXT_MAX_CHARS).join('');
    const previewImage = message.preview?.imageAttachmentId;
    const firstId = message.attachmentIds.find((id) => id !== previewImage);
    const first = firstId !== undefined ? this.options.attachmentInfo(firstId) : undefined;
    const attachment = first
      ? {
          contentType: first.contentType ?? first.declaredContentType ?? null,
          fileName: first.fileName ?? null,
          hasThumbnail: false,
        }
      : null;
    return { authorServiceId: author, sentAt: message.sentAt, text, attachment };
  }

  /** Our one reaction on a message: set (replacing ours) or removed. Sent first, then stored. */
  async react(messageId: string, emoji: string, remove: boolean): Promise<Message> {
    const message = this.message(messageId);
    const conversation = this.writable(message);
    if (message.kind !== 'message' || message.deleted) {
      throw new PreconditionError('Only messages that are still there can get reactions.');
    }
    const { sender, lock, store, meaning, ourAci } = this.options;
    const at = await sender.deliverChange(conversation, (timestamp) => ({
      dataMessage: {
        timestamp,
        reaction: {
          emoji,
          ...(remove ? { remove: true } : {}),
          targetAuthorAci: message.sourceServiceId ?? ourAci,
          targetSentTimestamp: message.sentAt,
        },
        ...sender.timerFields(conversation, conversation.expireTimerSeconds),
      },
    }));
    return lock.run(() =>
      store.transaction(() => meaning.react(message.id, ourAci, remove ? null : emoji, at)),
    );
  }

  /** Delete one of our sent messages for everyone (within 24 h): sent first, then erased here. */
  async deleteForEveryone(messageId: string): Promise<Message> {
    const message = this.message(messageId);
    const conversation = this.writable(message);
    this.ownSentMessage(message, 'deleted for everyone');
    if (this.options.clock() - message.sentAt > MESSAGE_CHANGE_WINDOW_MS) {
      throw new PreconditionError('It is too late to delete this message for everyone (24 hours).');
    }
    const { sender, lock, store, meaning } = this.options;
    await sender.deliverChange(conversation, (timestamp) => ({
      dataMessage: {
        timestamp,
        delete: { targetSentTimestamp: message.sentAt },
        ...sender.timerFields(conversation, conversation.expireTimerSeconds),
      },
    }));
    return lock.run(() => store.transaction(() => meaning.eraseForEveryone(message.id)));
  }

  /** Edit one of our sent text messages (24 h, 10 edits): only the latest text is kept. */
  async edit(messageId: string, body: string): Promise<Message> {
    const message = this.message(messageId);
    const conversation = this.writable(message);
    this.ownSentMessage(message, 'edited');
    if (message.viewOnce) throw new PreconditionError('View-once media cannot be edited.');
    const previewImage = message.preview?.imageAttachmentId;
    if (message.attachmentIds.some((id) => id !== previewImage)) {
      throw new PreconditionError('Only text messages can be edited.');
    }
    if (this.options.clock() - message.sentAt > MESSAGE_CHANGE_WINDOW_MS) {
      throw new PreconditionError('It is too late to edit this message (24 hours).');
    }
    if (message.editCount >= MAX_EDITS) {
      throw new PreconditionError(`This message was edited too many times (${MAX_EDITS}).`);
    }
    const { sender, lock, store, meaning } = this.options;
    const at = await sender.deliverChange(conversation, (timestamp) => ({
      editMessage: {
        targetSentTimestamp: message.sentAt,
        dataMessage: {
          body,
          timestamp,
          ...sender.timerFields(conversation, conversation.expireTimerSeconds),
        },
      },
    }));
    return lock.run(() => store.transaction(() => meaning.edit(message.id, body, at)));
  }

  /** Delete a message from this device only (the same shredding as delete for everyone). */
  async deleteForMe(messageId: string): Promise<void> {
    const { lock, store, meaning } = this.options;
    await lock.run(() => store.transaction(() => meaning.eraseForMe(this.message(messageId))));
  }

  private message(messageId: string): Message {
    const message = this.options.store.getMessage(messageId);
    if (!message) throw new NotFoundError('No such message.');
    return message;
  }

  /** The chat of a message we may send a change to (not a held request; blocked → BlockedError later). */
  private writable(message: Message): Conversation {
    const conversation = this.options.store.getConversation(message.conversationId);
    if (!conversation) throw new NotFoundError('No such conversation.');
    if (conversation.isRequest) throw new PreconditionError('Accept the message request first.');
    return conversation;
  }

  private ownSentMessage(message: Message, what: string): void {
    if (message.kind !== 'message' || message.direction !== 'out') {
      throw new PreconditionError(`Only your own messages can be ${what}.`);
    }
    if (message.deleted) throw new PreconditionError('This message was already deleted.');
    if (message.status === 'pending' || message.status === 'failed') {
      throw new PreconditionError(`A message that was not sent cannot be ${what}.`);
    }
  }
}

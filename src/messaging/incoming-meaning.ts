/**
 * What an incoming reaction, delete for everyone, edit or quote may change — Signal's rules plus the
 * hostile cases of issue 14. Called by the Receiver inside its transaction; never throws for bad input:
 * a change that breaks a rule (someone else's message, a different sender, after the limit, a message we
 * never had) changes nothing and is logged as an event without content.
 *
 * The chat is a ChatScope: a 1:1 chat (its one contact) or a group's conversation (its members); a target
 * is found by (author, sent timestamp) within that chat only.
 * - Reaction: one emoji; on a message of this chat (ours or someone's of the chat), by one of the chat.
 * - Delete for everyone: only of the sender's own message, within 24 h (server time); one that arrives
 *   before its message is remembered (MessageMeaning.rememberDelete) so the message never shows.
 * - Edit: only of the sender's own text (not view-once, attachments unchanged), within 24 h, at most 10.
 * - Quote: kept as the sender described it, if its author is us or one of the chat.
 */
import { log } from '../log.js';
import type { Content, Envelope, Quote } from '../signal/proto/signal-service.js';
import { boundBody } from './limits.js';
import type { MessageMeaning } from './meaning.js';
import { isSingleEmoji, MAX_EDITS, MESSAGE_CHANGE_WINDOW_MS, QUOTE_TEXT_MAX_CHARS } from './meaning-rules.js';
import type { QuoteInput } from './message-meaning.js';
import { serviceIdFromBinary } from './receiver.js';
import type { Conversation } from './store.js';

type Change = 'reaction' | 'delete' | 'edit';

/** The chat an incoming change or quote is read in, and who besides us belongs to it. */
export interface ChatScope {
  readonly conversation: Conversation;
  /** 1:1: its contact; a group: its members, by the state we hold. */
  readonly includes: (serviceId: string) => boolean;
}

function ignored(change: Change, reason: string): 'ignored' {
  log.info('messaging.receive.change_ignored', { change, reason });
  return 'ignored';
}

export class IncomingMeaning {
  constructor(
    private readonly meaning: MessageMeaning,
    private readonly ourAci: string,
    private readonly clock: () => number,
  ) {}

  /**
   * A reaction, delete or edit from one of the chat: 'stored' when applied, 'ignored' when refused;
   * undefined when the content is none of these (an ordinary message).
   */
  applyChange(
    scope: ChatScope,
    sender: string,
    content: Content,
    envelope: Envelope,
  ): 'stored' | 'ignored' | undefined {
    if (!scope.includes(sender)) return undefined;
    const { conversation } = scope;
    const serverTime = envelope.serverTimestamp ?? this.clock();
    const data = content.dataMessage;
    if (content.editMessage) return this.edit(conversation, sender, content.editMessage, serverTime);
    if (data?.reaction) return this.react(scope, sender, data.reaction, data.timestamp ?? serverTime);
    if (data?.delete) return this.delete(conversation, sender, data.delete.targetSentTimestamp, serverTime);
    return undefined;
  }

  /** A received quote as stored, or undefined (no quote, or an author outside this chat). */
  quote(quote: Quote | undefined, scope: ChatScope): QuoteInput | undefined {
    if (!quote || quote.id === undefined) return undefined;
    const author = quote.authorAci ?? serviceIdFromBinary(quote.authorAciBinary);
    if (!author || (author !== this.ourAci && !scope.includes(author))) return undefined;
    const first = quote.attachments?.[0];
    return {
      authorServiceId: author,
      sentAt: quote.id,
      text: [...(quote.text ?? '')].slice(0, QUOTE_TEXT_MAX_CHARS).join(''),
      attachment: first
        ? {
            contentType: first.contentType?.slice(0, 100) ?? null,
            fileName: first.fileName?.slice(0, 255) ?? null,
            hasThumbnail: first.thumbnail !== undefined,
          }
        : null,
    };
  }

  /** A delete for everyone came before this message: store it as a tombstone only. */
  deletedBeforeArrival(sender: string, sentAt: number): boolean {
    return this.meaning.takePendingDelete(sender, sentAt, this.clock());
  }

  private react(
    { conversation, includes }: ChatScope,
    sender: string,
    reaction: NonNullable<NonNullable<Content['dataMessage']>['reaction']>,
    at: number,
  ): 'stored' | 'ignored' {
    const emoji = reaction.emoji ?? '';
    if (!isSingleEmoji(emoji)) return ignored('reaction', 'not-one-emoji');
    const author = reaction.targetAuthorAci ?? serviceIdFromBinary(reaction.targetAuthorAciBinary);
    if (!author || (author !== this.ourAci && !includes(author))) return ignored('reaction', 'not-this-chat');
    const target =
      reaction.targetSentTimestamp === undefined
        ? undefined
        : this.meaning.findTarget(conversation.id, author, reaction.targetSentTimestamp);
    if (!target) return ignored('reaction', 'unknown-target');
    if (target.deleted) return ignored('reaction', 'deleted-target');
    if (reaction.remove === true) {
      const theirs = target.reactions.find((r) => r.reactorServiceId === sender);
      if (theirs?.emoji !== emoji) return ignored('reaction', 'nothing-to-remove');
      this.meaning.react(target.id, sender, null, at);
      return 'stored';
    }
    this.meaning.react(target.id, sender, emoji, at);
    return 'stored';
  }

  private delete(
    conversation: Conversation,
    sender: string,
    targetSentAt: number | undefined,
    serverTime: number,
  ): 'stored' | 'ignored' {
    if (targetSentAt === undefined) return ignored('delete', 'no-target');
    const target = this.meaning.findTarget(conversation.id, sender, targetSentAt);
    if (!target) {
      if (this.meaning.findTarget(conversation.id, this.ourAci, targetSentAt)) {
        return ignored('delete', 'not-author');
      }
      if (Math.abs(serverTime - targetSentAt) > MESSAGE_CHANGE_WINDOW_MS)
        return ignored('delete', 'too-late');
      this.meaning.rememberDelete(conversation.id, sender, targetSentAt, this.clock());
      return 'stored';
    }
    if (target.direction !== 'in') return ignored('delete', 'not-author');
    if (target.deleted) return 'ignored';
    if (Math.abs(serverTime - target.sentAt) > MESSAGE_CHANGE_WINDOW_MS) return ignored('delete', 'too-late');
    this.meaning.eraseForEveryone(target.id);
    return 'stored';
  }

  private edit(
    conversation: Conversation,
    sender: string,
    edit: NonNullable<Content['editMessage']>,
    serverTime: number,
  ): 'stored' | 'ignored' {
    const data = edit.dataMessage;
    if (edit.targetSentTimestamp === undefined || !data) return ignored('edit', 'malformed');
    const target = this.meaning.findEdited(conversation.id, sender, edit.targetSentTimestamp);
    if (!target) {
      return this.meaning.findTarget(conversation.id, this.ourAci, edit.targetSentTimestamp)
        ? ignored('edit', 'not-author')
        : ignored('edit', 'unknown-target');
    }
    if (target.direction !== 'in') return ignored('edit', 'not-author');
    if (target.deleted) return ignored('edit', 'deleted-target');
    if (target.viewOnce || data.isViewOnce) return ignored('edit', 'view-once');
    // Text only: the edit may not add, drop or replace attachments (their pointers stay as received).
    const textAttachments = target.attachmentIds.length - (target.preview?.imageAttachmentId ? 1 : 0);
    if ((data.attachments?.length ?? 0) !== textAttachments) return ignored('edit', 'attachments-changed');
    const editSentAt = data.timestamp ?? serverTime;
    if (target.editedAt === editSentAt) return 'ignored'; // a redelivery of the same edit
    if (Math.abs(serverTime - target.sentAt) > MESSAGE_CHANGE_WINDOW_MS) return ignored('edit', 'too-late');
    if (target.editCount >= MAX_EDITS) return ignored('edit', 'too-many-edits');
    const body = boundBody(data.body ?? '');
    if (body.trim().length === 0 && textAttachments === 0) return ignored('edit', 'empty');
    this.meaning.edit(target.id, body, editSentAt);
    return 'stored';
  }
}

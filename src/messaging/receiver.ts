/**
 * The receive pipeline: incoming Envelopes from the chat socket, in batches (./receive-window.ts: those
 * that arrive while the previous batch is worked on) → decrypt each in order (libsignal, its store writes
 * staged in memory, each seeing the ones before it) → decode Content → ONE synchronous vault transaction
 * for the batch: per envelope, in order, the staged protocol state + message / receipt / timer update /
 * identity-change event → only then do the envelopes' `handleEnvelope` calls resolve, and only then does
 * the socket ack them (200). See docs/ARCHITECTURE.md.
 *
 * - Crash before COMMIT: nothing of this envelope is on disk (not even the ratchet step), the server
 *   still holds it and redelivers; decrypting it again works.
 * - Crash after COMMIT but before the ack: the server redelivers; the server guid / the UNIQUE
 *   (source, device, timestamp) key recognise it and it is acked without a second row.
 * - Garbage / undecryptable: a content-free marker (and a log line without content) is committed and
 *   the envelope acked, so the server does not redeliver it forever. Never throws for bad input.
 * - Bounded per message (./limits.ts, Signal's own limits): at most 32 attachment pointers recorded, the
 *   body cut to 64 KiB, Signal's long-text attachment kept as the body-to-be; downloads run after the ack.
 */
import type { UnidentifiedSenderMessageContent } from '@signalapp/libsignal-client';
import { DecryptionError, ProtocolError } from '../errors.js';
import { errorFields, log } from '../log.js';
import { acceptPreview, PREVIEW_MAX_IMAGE_BYTES } from '../net/link-preview-rules.js';
import { uuidText } from '../signal/bytes.js';
import type { EnvelopeDecryptResult } from '../signal/cipher.js';
import {
  DataMessageFlags,
  EnvelopeType,
  ReceiptType,
  TypingAction,
  decodeEnvelope,
  type AttachmentPointer,
  type Content,
  type DataMessage,
  type Envelope,
} from '../signal/proto/signal-service.js';
import type { SerialQueue } from '../async/serial-queue.js';
import type { BlockUnknownSenders } from '../settings/schema.js';
import { envelopeDeliveryKey } from './delivery-key.js';
import { ReceiveWindow, type Batched } from './receive-window.js';
import { boundBody, LONG_TEXT_CONTENT_TYPE, MAX_ATTACHMENTS_PER_MESSAGE, MAX_BODY_BYTES } from './limits.js';
import type { Conversation, MessageStore } from './store.js';
import type { ChatScope, IncomingMeaning } from './incoming-meaning.js';
import type { GroupMessages } from '../groups/group-messages.js';

/** What decryption yields; failures are thrown as DecryptionError / ProtocolError. */
export type DecryptedEnvelope = EnvelopeDecryptResult;

/** A decrypt whose protocol-state writes are staged in memory; `commit()` applies them synchronously. */
export interface StagedDecrypt {
  readonly result: DecryptedEnvelope;
  commit(): void;
}

/** The crypto seam (src/signal/cipher.ts behind an adapter; see ./signal-adapter.ts). */
export interface EnvelopeDecryptor {
  /**
   * Decrypt with the protocol-state writes staged, so no SQL transaction is open across the async
   * decrypt. `after`: the batch's previous staged decrypt, whose writes this one must see.
   */
  decryptStaged(
    envelope: Envelope,
    after?: StagedDecrypt,
    unsealed?: Promise<UnidentifiedSenderMessageContent>,
  ): Promise<StagedDecrypt>;
  /**
   * Called as an envelope joins a receive window where others wait: starts what can run ahead of its
   * batch (a sealed envelope's outer layer, on another thread); the result goes back to `decryptStaged`.
   */
  prepare?(envelope: Envelope): Promise<UnidentifiedSenderMessageContent> | undefined;
  /** Identity-change records the decrypt produced, still to be shown in a conversation. */
  pendingIdentityChanges(): ReadonlyArray<{ id: number; serviceId: string; wasVerified: boolean }>;
  consumeIdentityChanges(ids: readonly number[]): void;
}

/** Work to do after the commit (and after the ack): receipts to the sender. */
export interface ReceiptRequest {
  readonly conversationId: string;
  readonly serviceId: string;
  readonly kind: 'delivery' | 'read';
  readonly timestamps: readonly number[];
}

export interface TypingEvent {
  readonly conversationId: string;
  readonly serviceId: string;
  readonly started: boolean;
}

export type ReceiveOutcome =
  'stored' | 'duplicate' | 'receipt' | 'typing' | 'timer' | 'dropped' | 'failed' | 'ignored';

export interface ReceiverOptions {
  readonly store: MessageStore;
  /** The client's write queue: each envelope's decrypt + commit runs as one item of it. */
  readonly lock: SerialQueue;
  readonly decryptor: EnvelopeDecryptor;
  /** Read on every envelope, so a settings change applies at once. */
  readonly blockUnknownSenders: () => BlockUnknownSenders;
  /** The "Read receipts" setting, read on every receipt: off, the contacts' read state is not shown. */
  readonly readReceipts?: () => boolean;
  /** Delivery receipts for accepted messages; called after commit, its failure never un-acks. */
  readonly sendReceipt?: (request: ReceiptRequest) => Promise<void>;
  readonly onTyping?: (event: TypingEvent) => void;
  /**
   * Records incoming attachment pointers (AttachmentRecords.addIncoming) inside the message's
   * transaction. Without it, pointers are ignored (the message keeps its text only).
   */
  readonly attachments?: { addIncoming(pointer: AttachmentPointer): string };
  /** After commit (and before the ack resolves): a stored message whose attachments are to download. */
  readonly onAttachments?: (messageId: string, attachmentIds: readonly string[]) => void;
  /** Reactions, deletes for everyone, edits and quotes (./incoming-meaning.ts); without it, ignored. */
  readonly meaning?: IncomingMeaning;
  /** The chat open and visible on screen: what arrives there is read at once. */
  readonly isVisible?: (conversationId: string) => boolean;
  /** DataMessages with a group context (src/groups): their conversation; without it they are ignored. */
  readonly groups?: Pick<GroupMessages, 'target' | 'identityChanged'>;
  /** A receipt for our group messages (src/groups/send): the member's row and the message's status. */
  readonly groupReceipts?: (from: string, kind: 'delivery' | 'read' | 'viewed', timestamps: number[]) => void;
}

/** The conversation a DataMessage lands in, decided once: the sender's 1:1 chat or a group's. */
export interface MessageTarget extends ChatScope {
  /** A message request: stored, but no receipts and no downloads until accepted. */
  readonly held: boolean;
}

/** Why a message was not stored anywhere: refused, or nothing to store. */
type Refusal = Extract<ReceiveOutcome, 'dropped' | 'ignored'>;

/**
 * Someone we have a chat with that we started or accepted, and did not block: Signal's line between a
 * conversation and a message request (for a 1:1 sender and for whoever added us to a group).
 */
export function isAcquainted(conversation: Conversation | undefined): boolean {
  return (
    conversation !== undefined &&
    !conversation.blocked &&
    (conversation.isContact || conversation.acceptedAt !== null)
  );
}

/** Text or files to show (else a message only changes something, or carries nothing). */
function hasContent(data: DataMessage): boolean {
  return (data.body !== undefined && data.body.length > 0) || (data.attachments?.length ?? 0) > 0;
}

/**
 * Most envelopes decrypted and committed together: bounds how long a batch holds the write queue (a send
 * waits behind at most one batch) while a backlog still costs one commit per 64 messages.
 */
const MAX_BATCH = 64;

interface Incoming {
  readonly envelope: Envelope;
  readonly deliveryKey: string | undefined;
  /** Its sealed-sender layer, being opened ahead (EnvelopeDecryptor.prepare). */
  readonly unsealed?: Promise<UnidentifiedSenderMessageContent>;
}

const isContentError = (error: unknown): boolean =>
  error instanceof DecryptionError || error instanceof ProtocolError;

interface Effects {
  outcome: ReceiveOutcome;
  receipts: ReceiptRequest[];
  typing?: TypingEvent;
  downloads?: { messageId: string; attachmentIds: readonly string[] };
}

export class Receiver {
  /**
   * Counters for tests, the bench and diagnostics (no content); `batches`: committed transactions;
   * `openedAhead`: sealed envelopes whose outer layer was started on the unseal worker while they waited.
   */
  readonly stats = { stored: 0, duplicate: 0, failed: 0, dropped: 0, other: 0, batches: 0, openedAhead: 0 };
  private readonly window: ReceiveWindow<Incoming, ReceiveOutcome>;

  constructor(private readonly options: ReceiverOptions) {
    this.window = new ReceiveWindow({
      lock: options.lock,
      max: MAX_BATCH,
      run: (batch) => this.receiveBatch(batch),
    });
  }

  /**
   * Process one envelope. Resolves once its result is committed (the caller acks then); rejects only
   * when the vault itself failed (locked, disk error), in which case the caller must NOT ack. Envelopes
   * handed in without waiting for each other are received as one batch.
   */
  async handleEnvelope(bytes: Uint8Array): Promise<ReceiveOutcome> {
    const { store } = this.options;
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(bytes);
    } catch (error) {
      log.warn('messaging.receive.bad_envelope', errorFields(error));
      this.stats.failed += 1;
      return 'failed';
    }
    const deliveryKey = envelopeDeliveryKey(envelope);
    if (envelope.type === EnvelopeType.SERVER_DELIVERY_RECEIPT || envelope.type === EnvelopeType.UNKNOWN) {
      this.stats.other += 1;
      return 'ignored';
    }
    if (deliveryKey && store.hasDeliveryKey(deliveryKey)) {
      this.stats.duplicate += 1;
      return 'duplicate';
    }

    // Only an envelope queued behind others gains from work started ahead (a backlog, a burst); a lone
    // message, or one handed in after the previous was received, is decrypted at once on this thread:
    // the hop to the worker and back costs more than it saves (about 0.5 ms on the development machine).
    const unsealed = this.window.waiting > 0 ? this.options.decryptor.prepare?.(envelope) : undefined;
    if (unsealed) this.stats.openedAhead += 1;
    return this.window.add({ envelope, deliveryKey, ...(unsealed ? { unsealed } : {}) });
  }

  /**
   * One batch, as one item of the write queue: decrypt each envelope after the one before (staged and
   * chained, no transaction open across an await), then ONE synchronous transaction commits, in order,
   * each envelope's protocol state with what its content changes (or a failure marker); only then are
   * the callers resolved. If the transaction throws for one envelope's content (a replayed last-resort
   * key), nothing of the batch was committed: each envelope is received again on its own.
   */
  private async receiveBatch(batch: ReadonlyArray<Batched<Incoming, ReceiveOutcome>>): Promise<void> {
    const { store, decryptor } = this.options;
    const ready: Array<{ waiting: Batched<Incoming, ReceiveOutcome>; staged: StagedDecrypt | undefined }> =
      [];
    let head: StagedDecrypt | undefined;
    for (const waiting of batch) {
      try {
        head = await decryptor.decryptStaged(waiting.item.envelope, head, waiting.item.unsealed);
        ready.push({ waiting, staged: head });
      } catch (error) {
        if (!isContentError(error)) {
          waiting.reject(error);
          continue;
        }
        // Undecryptable or malformed: nothing of it is staged; a content-free marker is committed
        // instead so the failure is visible and the envelope can be acked.
        logDecryptionFailure(error, waiting.item.envelope);
        ready.push({ waiting, staged: undefined });
      }
    }
    let effects: Effects[];
    try {
      effects = store.transaction(() =>
        ready.map(({ waiting: { item }, staged }) => {
          let result: Effects = { outcome: 'failed', receipts: [] };
          if (staged) {
            staged.commit();
            result = this.apply(item.envelope, item.deliveryKey, staged.result);
          } else {
            this.recordFailure(item.envelope, item.deliveryKey);
          }
          this.recordIdentityChanges();
          return result;
        }),
      );
    } catch (error) {
      if (!isContentError(error)) throw error; // the vault failed: no envelope of the batch is acked
      if (ready.length > 1) {
        for (const { waiting } of ready) await this.receiveBatch([waiting]);
        return;
      }
      const [only] = ready;
      if (!only?.staged) throw error; // the failure marker itself could not be stored
      logDecryptionFailure(error, only.waiting.item.envelope);
      effects = [
        store.transaction(() => {
          this.recordFailure(only.waiting.item.envelope, only.waiting.item.deliveryKey);
          this.recordIdentityChanges();
          return { outcome: 'failed', receipts: [] };
        }),
      ];
    }
    this.stats.batches += 1;
    ready.forEach(({ waiting }, i) => {
      const result = effects[i];
      if (result) waiting.resolve(this.afterCommit(result));
    });
  }

  /** What follows a committed envelope, in the same task as the commit: counters, hooks, receipts. */
  private afterCommit(effects: Effects): ReceiveOutcome {
    if (effects.outcome === 'stored') this.stats.stored += 1;
    else if (effects.outcome === 'duplicate') this.stats.duplicate += 1;
    else if (effects.outcome === 'dropped') this.stats.dropped += 1;
    else if (effects.outcome === 'failed') this.stats.failed += 1;
    else this.stats.other += 1;
    if (effects.typing) this.options.onTyping?.(effects.typing);
    if (effects.downloads) {
      try {
        this.options.onAttachments?.(effects.downloads.messageId, effects.downloads.attachmentIds);
      } catch (error) {
        log.warn('messaging.receive.attachments_hook_failed', errorFields(error));
      }
    }
    for (const receipt of effects.receipts) this.queueReceipt(receipt);
    return effects.outcome;
  }

  private queueReceipt(receipt: ReceiptRequest): void {
    const send = this.options.sendReceipt;
    if (!send) return;
    // Handed over in the same task as the commit (the client only queues it; its send happens after
    // the ack), so a lock right after the commit finds it queued and saves it. A receipt that fails to
    // send is not worth a redelivery of the message.
    send(receipt).catch((error: unknown) => log.warn('messaging.receipt.send_failed', errorFields(error)));
  }

  /** Synchronous part of the transaction: everything the decrypted content changes. */
  private apply(envelope: Envelope, deliveryKey: string | undefined, decrypted: DecryptedEnvelope): Effects {
    const { store } = this.options;
    const none: Effects = { outcome: 'ignored', receipts: [] };
    if (decrypted.kind === 'duplicate') return { outcome: 'duplicate', receipts: [] };
    const { content, sourceServiceId, sourceDevice } = decrypted;
    const existing = store.findConversationByServiceId(sourceServiceId);
    if (existing?.blocked) return { outcome: 'dropped', receipts: [] };
    if (content.receiptMessage) {
      const kind =
        content.receiptMessage.type === ReceiptType.READ
          ? 'read'
          : content.receiptMessage.type === ReceiptType.VIEWED
            ? 'viewed'
            : 'delivery';
      // Signal's reciprocity rule: while we send no read receipts, theirs (read, viewed) are not shown.
      if (kind === 'delivery' || this.options.readReceipts?.() !== false) {
        store.applyReceipt(sourceServiceId, kind, content.receiptMessage.timestamp ?? []);
        this.options.groupReceipts?.(sourceServiceId, kind, content.receiptMessage.timestamp ?? []);
      }
      return { outcome: 'receipt', receipts: [] };
    }

    if (content.typingMessage) {
      // Ephemeral: shown for existing chats that are not held requests; never stored.
      if (!existing || existing.isRequest || content.typingMessage.groupId) return none;
      return {
        outcome: 'typing',
        receipts: [],
        typing: {
          conversationId: existing.id,
          serviceId: sourceServiceId,
          started: content.typingMessage.action !== TypingAction.STOPPED,
        },
      };
    }

    // A group's message goes to the group's conversation (after its membership checks), a 1:1 message to
    // the sender's chat; from there on the data path is one.
    const group = this.groupTarget(content, sourceServiceId);
    if (typeof group === 'string') return { outcome: group, receipts: [] };
    // Reactions, deletes and edits change a message of an existing chat (held requests included).
    const scope =
      group ?? (existing && { conversation: existing, includes: (id: string) => id === existing.serviceId });
    const change = scope && this.options.meaning?.applyChange(scope, sourceServiceId, content, envelope);
    if (change) return { outcome: change, receipts: [] };

    const data = content.dataMessage;
    if (!data) return none; // sync, call, story messages: not handled (yet)
    const sentAt = data.timestamp ?? envelope.clientTimestamp ?? envelope.serverTimestamp ?? 0;
    if (group) return this.store(group, data, { sourceServiceId, sourceDevice, sentAt, deliveryKey });

    const policy = this.options.blockUnknownSenders();
    if (!isAcquainted(existing) && policy === 'drop') {
      log.info('messaging.receive.unknown_sender_dropped');
      return { outcome: 'dropped', receipts: [] };
    }
    const held = !isAcquainted(existing) && policy === 'hold-as-request';
    const conversation =
      existing ?? store.getOrCreateConversation(sourceServiceId, { isRequest: held, isContact: false });
    if (held && !conversation.isRequest) store.updateConversation(conversation.id, { isRequest: true });

    // Their profile key lets us derive their unidentified-access key (sealed sender to them).
    if (data.profileKey?.length === 32) store.setProfileKey(conversation.id, data.profileKey);

    // A group's timer is its state's (a group change, fetched); a 1:1 chat's travels with its messages.
    const timerChanged = this.applyTimer(conversation, data, sentAt, deliveryKey);
    const isTimerUpdate = ((data.flags ?? 0) & DataMessageFlags.EXPIRATION_TIMER_UPDATE) !== 0;
    if (isTimerUpdate || !hasContent(data)) {
      return { outcome: timerChanged ? 'timer' : 'ignored', receipts: [] };
    }
    const target = { conversation, includes: (id: string) => id === conversation.serviceId, held };
    return this.store(target, data, { sourceServiceId, sourceDevice, sentAt, deliveryKey });
  }

  /**
   * The group conversation of a message with a group context (or 'dropped' / 'ignored' when refused or
   * only a group change); undefined for a message without one.
   */
  private groupTarget(content: Content, sourceServiceId: string): MessageTarget | Refusal | undefined {
    const data = content.dataMessage ?? content.editMessage?.dataMessage;
    if (!data?.groupV2) return undefined;
    const groups = this.options.groups;
    if (!groups) return 'ignored';
    const changes = data.reaction !== undefined || data.delete !== undefined || !!content.editMessage;
    return groups.target({
      context: data.groupV2,
      sourceServiceId,
      hasContent: changes || hasContent(data),
    });
  }

  /**
   * The one data path, for a 1:1 chat and a group alike: the message with its attachments, link preview,
   * quote and view-once flag, in the target's conversation under its timer, with the receipts and
   * downloads a held request does not get.
   */
  private store(
    { conversation, held, ...scope }: MessageTarget,
    data: DataMessage,
    from: { sourceServiceId: string; sourceDevice: number; sentAt: number; deliveryKey: string | undefined },
  ): Effects {
    const { store } = this.options;
    const { sourceServiceId, sourceDevice, sentAt, deliveryKey } = from;
    if (!hasContent(data)) return { outcome: 'ignored', receipts: [] };
    // The message disappears by the chat's timer as it stands after Signal's version rules (applyTimer),
    // also when the sender's copy carried none or a stale one.
    const chatTimer = store.getConversation(conversation.id)?.expireTimerSeconds ?? null;

    if (store.hasIncoming(sourceServiceId, sourceDevice, sentAt))
      return { outcome: 'duplicate', receipts: [] };
    const attachments = this.options.attachments;
    const ids = attachments ? incomingPointers(data).map((p) => attachments.addIncoming(p)) : [];
    const body = data.body === undefined ? undefined : boundBody(data.body);
    if (body !== data.body) log.warn('messaging.receive.body_truncated', { bytes: MAX_BODY_BYTES });
    // Signal's rule: the first preview, only if its https link is in the body (never on view-once media).
    // Its text is bounded; its image is one more attachment (downloaded, held, expired like the others).
    // Nothing here fetches anything: the preview is shown from what the sender sent.
    const sent = data.isViewOnce === true ? undefined : data.preview?.[0];
    const preview = sent && body ? acceptPreview(sent, body) : undefined;
    const image = preview && sent?.image;
    const imageId =
      attachments && image && (image.size ?? 0) <= PREVIEW_MAX_IMAGE_BYTES
        ? attachments.addIncoming(image)
        : null;
    const attachmentIds = imageId !== null ? [...ids, imageId] : ids;
    if (!body && attachmentIds.length === 0) return { outcome: 'ignored', receipts: [] };
    const meaning = this.options.meaning;
    const quote = meaning?.quote(data.quote, { conversation, ...scope });
    const deleted = meaning?.deletedBeforeArrival(sourceServiceId, sentAt) === true;
    const read = !held && !deleted && this.options.isVisible?.(conversation.id) === true;
    const { inserted, message } = store.insertIncoming({
      conversationId: conversation.id,
      sourceServiceId,
      sourceDevice,
      sentAt,
      deliveryKey: deliveryKey ?? null,
      body: body ?? null,
      expireTimerSeconds: chatTimer,
      viewOnce: data.isViewOnce === true,
      attachmentIds,
      ...(preview ? { preview: { ...preview, imageAttachmentId: imageId } } : {}),
      ...(quote ? { quote } : {}),
      ...(read ? { read } : {}),
      ...(deleted ? { deleted } : {}),
    });
    // (Unreachable for attachments after the hasIncoming check; an orphan row would be swept.)
    if (!inserted) return { outcome: 'duplicate', receipts: [] };
    const receipts: ReceiptRequest[] = held
      ? [] // a held request gets no delivery receipt: the sender learns nothing until we accept
      : [
          {
            conversationId: conversation.id,
            serviceId: sourceServiceId,
            kind: 'delivery',
            timestamps: [sentAt],
          },
          ...(read
            ? [
                {
                  conversationId: conversation.id,
                  serviceId: sourceServiceId,
                  kind: 'read' as const,
                  timestamps: [sentAt],
                },
              ]
            : []),
        ];
    return {
      outcome: 'stored',
      receipts,
      // A held request's media is not fetched until accepted (fetching would tell the CDN we got it).
      ...(message && attachmentIds.length > 0 && !held && !deleted
        ? { downloads: { messageId: message.id, attachmentIds } }
        : {}),
    };
  }

  /**
   * A timer carried by a message that differs from the conversation's becomes the chat's timer — unless
   * its Signal timer version is lower than the chat's (a stale change from before ours). A message
   * without a version comes from a client without versions: its timer update applies, its plain message
   * without a timer keeps ours.
   */
  private applyTimer(
    conversation: Conversation,
    data: DataMessage,
    sentAt: number,
    deliveryKey: string | undefined,
  ): boolean {
    const { store } = this.options;
    const isTimerUpdate = ((data.flags ?? 0) & DataMessageFlags.EXPIRATION_TIMER_UPDATE) !== 0;
    const incoming = data.expireTimer && data.expireTimer > 0 ? data.expireTimer : null;
    const version = data.expireTimerVersion ?? 0;
    if (version > 0 && version < conversation.expireTimerVersion) {
      log.info('messaging.receive.change_ignored', { change: 'timer', reason: 'stale-version' });
      return false;
    }
    const newer = version > conversation.expireTimerVersion ? { expireTimerVersion: version } : {};
    if (!isTimerUpdate && incoming === null && version === 0) return false; // an old client: keep ours
    if (incoming === conversation.expireTimerSeconds) {
      if (version > conversation.expireTimerVersion) store.updateConversation(conversation.id, newer);
      return false;
    }
    store.updateConversation(conversation.id, { expireTimerSeconds: incoming, ...newer });
    store.addEvent(
      conversation.id,
      'timer-changed',
      { seconds: incoming, byThem: true },
      { sentAt, deliveryKey: isTimerUpdate ? (deliveryKey ?? null) : null },
    );
    return true;
  }

  /** Turn pending identity-change records into timeline events (call inside a transaction). */
  recordIdentityChanges(): void {
    const { store, decryptor } = this.options;
    const changes = decryptor.pendingIdentityChanges();
    if (changes.length === 0) return;
    for (const change of changes) {
      const conversation = store.getOrCreateConversation(change.serviceId);
      store.addEvent(conversation.id, 'identity-changed', { wasVerified: change.wasVerified });
      store.updateConversation(conversation.id, { safetyNumberChanged: true });
      this.options.groups?.identityChanged(change.serviceId, change.wasVerified);
    }
    decryptor.consumeIdentityChanges(changes.map((c) => c.id));
  }

  private recordFailure(envelope: Envelope, deliveryKey: string | undefined): void {
    const { store } = this.options;
    const source = envelope.sourceServiceId ?? serviceIdFromBinary(envelope.sourceServiceIdBinary);
    if (!source) return; // sealed or anonymous garbage: nothing to attach a marker to (logged above)
    const conversation = store.findConversationByServiceId(source);
    if (!conversation || conversation.blocked) return;
    store.addEvent(
      conversation.id,
      'decryption-failed',
      { sourceDevice: envelope.sourceDevice ?? null },
      { deliveryKey: deliveryKey ?? null, sentAt: envelope.clientTimestamp ?? undefined },
    );
  }
}

/**
 * The pointers of a message worth recording (limits.ts): Signal's long text first (the first
 * `text/x-signal-plain` pointer within the text limit; it becomes the body once downloaded, see
 * downloads.ts), then at most MAX_ATTACHMENTS_PER_MESSAGE files. The rest are dropped unread, so a message
 * carrying thousands of pointers costs no more than one carrying 32.
 */
function incomingPointers(data: DataMessage): AttachmentPointer[] {
  const pointers = data.attachments ?? [];
  const isLongText = (p: AttachmentPointer): boolean => p.contentType === LONG_TEXT_CONTENT_TYPE;
  const longText =
    data.isViewOnce === true
      ? undefined
      : pointers.find((p) => isLongText(p) && p.size !== undefined && p.size <= MAX_BODY_BYTES);
  const files: AttachmentPointer[] = [];
  for (const pointer of pointers) {
    if (files.length === MAX_ATTACHMENTS_PER_MESSAGE) break;
    if (!isLongText(pointer)) files.push(pointer);
  }
  if (pointers.length > files.length + (longText ? 1 : 0)) {
    log.warn('messaging.receive.attachments_dropped', {
      count: pointers.length,
      kept: files.length + (longText ? 1 : 0),
    });
  }
  return longText ? [longText, ...files] : files;
}

/** ACI binary (16 bytes) → "uuid"; PNI (17 bytes, leading 0x01) → "PNI:uuid". */
export function serviceIdFromBinary(bytes: Uint8Array | undefined): string | undefined {
  if (!bytes) return undefined;
  if (bytes.length === 16) return uuidText(bytes);
  if (bytes.length === 17 && bytes[0] === 0x01) return `PNI:${uuidText(bytes.subarray(1))}`;
  return undefined;
}

function logDecryptionFailure(error: unknown, envelope: Envelope): void {
  log.warn('messaging.receive.decryption_failed', {
    ...errorFields(error),
    envelopeType: envelope.type,
    sealed: envelope.type === EnvelopeType.UNIDENTIFIED_SENDER,
  });
}

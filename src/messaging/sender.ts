/**
 * The send pipeline: text messages (and replies), attachments, timer changes, delivery/read receipts and
 * typing indicators to a 1:1 conversation — what to send; Delivery (./delivery.ts) gets it to every device.
 * Reactions, deletes for everyone and edits are in ./changes.ts.
 * Outgoing messages are stored first ("pending") and their status updated.
 *
 * Sending to an identity that changed after it was verified throws UntrustedIdentityError until the
 * user confirms it (`confirmIdentity`).
 */
import {
  BlockedError,
  CarapaceError,
  NotAvailableError,
  NotFoundError,
  UntrustedIdentityError,
  ValidationError,
} from '../errors.js';
import { acceptPreview } from '../net/link-preview-rules.js';
import { ReceiptType, TypingAction, type Content } from '../signal/proto/signal-service.js';
import type { EncryptedFileStore } from '../vault/file-store.js';
import type { AttachmentRecords } from './attachments/records.js';
import {
  prepareOutgoingAttachment,
  storeOutgoingAttachment,
  uploadAttachment,
  type AttachmentTransport,
  type OutgoingSource,
  type PreparedAttachment,
} from './attachments/service.js';
import type { SerialQueue } from '../async/serial-queue.js';
import type { AttachmentPointer } from '../signal/proto/signal-service.js';
import { Delivery, type ChatRequester, type GroupDelivery } from './delivery.js';
import { preparePreviewImage, type OutgoingPreview } from './outgoing-preview.js';
import type { QuoteInput } from './message-meaning.js';
import { dataMessageOf } from './outgoing-data-message.js';
import { resendFiles } from './resend.js';
import type { MessageEncryptor } from './signal-adapter.js';
import type { Transfers } from './attachments/transfers.js';
import type { Conversation, Message, MessageStore } from './store.js';

export interface SenderOptions {
  readonly store: MessageStore;
  /** The client's write queue (see docs/ARCHITECTURE.md). */
  readonly lock: SerialQueue;
  readonly crypto: MessageEncryptor;
  readonly request: ChatRequester;
  /** Optional unauthenticated requester for sealed-sender sends (Signal requires it; the mock accepts either). */
  readonly unauthenticatedRequest?: ChatRequester;
  readonly local: { readonly aci: string; readonly deviceId: number };
  /** Default disappearing-messages timer in seconds (null = off) for chats without an override. */
  readonly defaultExpireTimer?: () => number | null;
  /** Our own profile key, shared only with accepted conversations. */
  readonly ownProfileKey?: () => Uint8Array | null;
  readonly clock?: () => number;
  /** Runs in the write queue after a prekey bundle was processed (it may have changed an identity). */
  readonly afterPreKeys?: () => void;
  /** The attachment machinery (undefined: this client cannot send attachments). */
  readonly attachments?: () => SenderAttachments | undefined;
  readonly onProgress?: (event: AttachmentProgress) => void;
  /** Running uploads, so the user can cancel one (its message fails; nothing is sent). */
  readonly transfers?: Transfers;
  /** Sends to group conversations (src/groups/send). */
  readonly groups?: () => GroupDelivery | undefined;
}

export interface SenderAttachments {
  readonly files: EncryptedFileStore;
  readonly records: AttachmentRecords;
  readonly transport: AttachmentTransport;
}

/** Upload or download progress of one attachment (bytes of the encrypted blob). */
export interface AttachmentProgress {
  readonly messageId: string;
  readonly attachmentId: string;
  readonly direction: 'upload' | 'download';
  readonly loaded: number;
  readonly total: number;
}

/** A file to send: its bytes, or a file staged in vault.files (sent from there a segment at a time). */
export type OutgoingFile = OutgoingSource & { readonly fileName?: string };

const MAX_ATTACHMENTS_PER_MESSAGE = 32;

const MAX_BODY_LENGTH = 64 * 1024;

/**
 * What a send throws once its stored message failed: the error says which message (the UI offers "Send
 * again" on it instead of keeping the text), and an identity error names the chat, not a device.
 */
function failedWith(error: unknown, conversationId: string, messageId: string): unknown {
  const thrown = error instanceof UntrustedIdentityError ? new UntrustedIdentityError(conversationId) : error;
  if (thrown instanceof CarapaceError) thrown.failedMessageId = messageId;
  return thrown;
}

export class Sender {
  private lastTimestamp = 0;
  private readonly clock: () => number;
  private readonly delivery: Delivery;

  constructor(private readonly options: SenderOptions) {
    this.clock = options.clock ?? Date.now;
    this.delivery = new Delivery({
      store: options.store,
      lock: options.lock,
      crypto: options.crypto,
      request: options.request,
      ...(options.unauthenticatedRequest ? { unauthenticatedRequest: options.unauthenticatedRequest } : {}),
      clock: this.clock,
      ...(options.afterPreKeys ? { afterPreKeys: options.afterPreKeys } : {}),
      ...(options.groups ? { groups: options.groups } : {}),
    });
  }

  /** Sends accepted by the server, by kind (sealed = over the unauthenticated socket with an access key). */
  get stats(): { readonly sealed: number; readonly unsealed: number } {
    return this.delivery.stats;
  }

  /** Strictly increasing ms timestamps: the (source, device, timestamp) key must be unique. */
  nextTimestamp(): number {
    const now = this.clock();
    this.lastTimestamp = now > this.lastTimestamp ? now : this.lastTimestamp + 1;
    return this.lastTimestamp;
  }

  /**
   * Store and send a text message, with a link preview if it has one whose link is in the body (Signal's
   * rule; otherwise the preview is dropped, the text still sent). The preview's image is prepared and
   * uploaded like an attachment. Resolves with the stored message (status sent or failed).
   */
  async sendText(
    conversationId: string,
    body: string,
    preview?: OutgoingPreview,
    quote?: QuoteInput,
  ): Promise<Message> {
    if (typeof body !== 'string' || body.trim().length === 0 || body.length > MAX_BODY_LENGTH) {
      throw new ValidationError('A message needs 1 to 65536 characters of text.');
    }
    const { store, crypto, local } = this.options;
    const conversation = this.conversation(conversationId);
    if (conversation.blocked) throw new BlockedError();
    if (crypto.needsApproval(conversation.serviceId)) throw new UntrustedIdentityError(conversationId);

    const accepted = preview ? acceptPreview(preview, body) : undefined;
    const machinery = this.options.attachments?.();
    const image = accepted && machinery ? await preparePreviewImage(preview?.image) : undefined;
    try {
      const timestamp = this.nextTimestamp();
      const expireTimer = this.#chatTimer(conversation);
      const message = await this.options.lock.run(() =>
        store.transaction(() => {
          // Writing to someone accepts the conversation (a held request becomes a normal chat).
          if (conversation.acceptedAt === null || conversation.isRequest) {
            store.updateConversation(conversationId, { acceptedAt: timestamp, isRequest: false });
          }
          const imageId =
            image && machinery
              ? machinery.records.addOutgoing(storeOutgoingAttachment(machinery.files, image))
              : null;
          return store.insertOutgoing({
            conversationId,
            sourceServiceId: local.aci,
            sourceDevice: local.deviceId,
            sentAt: timestamp,
            body,
            expireTimerSeconds: expireTimer,
            status: 'pending',
            ...(imageId !== null ? { attachmentIds: [imageId] } : {}),
            ...(accepted ? { preview: { ...accepted, imageAttachmentId: imageId } } : {}),
            ...(quote ? { quote } : {}),
          });
        }),
      );
      return await this.#deliverStored(conversation, message, expireTimer, async (pointers) => {
        const imageId = message.preview?.imageAttachmentId;
        if (!image || !machinery || !imageId) return;
        const pointer = await uploadAttachment(image, machinery.transport, {
          onProgress: (loaded, total) =>
            this.options.onProgress?.({
              messageId: message.id,
              attachmentId: imageId,
              direction: 'upload',
              loaded,
              total,
            }),
        });
        pointers.set(imageId, pointer);
      });
    } finally {
      image?.bytes.fill(0);
      image?.thumbnail?.bytes.fill(0);
    }
  }

  /**
   * Store and send a message with attachments (and an optional caption body): each file is prepared
   * (type sniffed, image metadata stripped, thumbnail), our copy stored in vault.files and recorded,
   * the message stored as pending, then every file is encrypted and uploaded (progress events) and the
   * DataMessage with the pointers delivered. Upload or delivery failure → status "failed", thrown.
   */
  async sendAttachments(
    conversationId: string,
    files: readonly OutgoingFile[],
    body?: string,
    options: { viewOnce?: boolean } = {},
  ): Promise<Message> {
    const machinery = this.options.attachments?.();
    if (!machinery) throw new NotAvailableError('Attachments are not available in this client.');
    const count: unknown = (files as { length?: unknown }).length;
    if (typeof count !== 'number' || count === 0 || count > MAX_ATTACHMENTS_PER_MESSAGE) {
      throw new ValidationError('A message carries 1 to 32 attachments.');
    }
    if (body !== undefined && (typeof body !== 'string' || body.length > MAX_BODY_LENGTH)) {
      throw new ValidationError('A caption has at most 65536 characters.');
    }
    const viewOnce = options.viewOnce === true;
    if (viewOnce && files.length !== 1) throw new ValidationError('View-once media is a single file.');
    const { store, crypto, local } = this.options;
    const conversation = this.conversation(conversationId);
    if (conversation.blocked) throw new BlockedError();
    if (crypto.needsApproval(conversation.serviceId)) throw new UntrustedIdentityError(conversationId);

    const prepared: PreparedAttachment[] = [];
    try {
      for (const file of files) {
        prepared.push(await prepareOutgoingAttachment(file, machinery.files));
      }
      const timestamp = this.nextTimestamp();
      const expireTimer = this.#chatTimer(conversation);
      const text = body !== undefined && body.trim().length > 0 ? body : null;
      const { message, attachmentIds } = await this.options.lock.run(() =>
        store.transaction(() => {
          if (conversation.acceptedAt === null || conversation.isRequest) {
            store.updateConversation(conversationId, { acceptedAt: timestamp, isRequest: false });
          }
          const ids = prepared.map((p) =>
            machinery.records.addOutgoing(storeOutgoingAttachment(machinery.files, p)),
          );
          const stored = store.insertOutgoing({
            conversationId,
            sourceServiceId: local.aci,
            sourceDevice: local.deviceId,
            sentAt: timestamp,
            body: text,
            expireTimerSeconds: expireTimer,
            status: 'pending',
            viewOnce,
            attachmentIds: ids,
          });
          return { message: stored, attachmentIds: ids };
        }),
      );
      return await this.#deliverStored(conversation, message, expireTimer, (pointers) =>
        this.#upload(
          message.id,
          prepared.map((item, index) => ({ attachmentId: attachmentIds[index]!, prepared: item })),
          pointers,
        ),
      );
    } finally {
      for (const item of prepared) {
        item.bytes.fill(0);
        item.thumbnail?.bytes.fill(0);
      }
    }
  }

  /**
   * Send one of our failed messages again (./resend.ts): its stored files uploaded again, then the same
   * DataMessage under its first timestamp. The message is "pending" meanwhile, so a second call is refused
   * until this one ends; failing again leaves it "failed", as before.
   */
  async resend(messageId: string): Promise<Message> {
    const { store, crypto } = this.options;
    const records = this.options.attachments?.()?.records;
    const claimed = await this.options.lock.run(() => {
      const message = store.getMessage(messageId);
      if (!message) throw new NotFoundError('That message is not here any more.');
      const files = resendFiles(message, records);
      const conversation = this.conversation(message.conversationId);
      if (conversation.blocked) throw new BlockedError();
      if (crypto.needsApproval(conversation.serviceId)) throw new UntrustedIdentityError(conversation.id);
      return { message: store.setStatus(message.id, 'pending'), conversation, files };
    });
    const { message, conversation, files } = claimed;
    // The chat's timer of now, as a new message would carry: a resend never turns an older timer back on.
    const expireTimer = this.#chatTimer(conversation);
    return this.#deliverStored(conversation, message, expireTimer, (pointers) =>
      this.#upload(message.id, files, pointers),
    );
  }

  /**
   * The end every send of a stored message shares (first send and resend): `upload` puts its files'
   * pointers into `pointers`, the DataMessage is built from the row (./outgoing-data-message.ts) with the
   * chat's timer and our profile key and delivered under the message's timestamp; then "sent" — or
   * "failed", the error naming the message. The pointers' keys are zeroed either way.
   */
  async #deliverStored(
    conversation: Conversation,
    message: Message,
    expireTimer: number | null,
    upload: (pointers: Map<string, AttachmentPointer>) => Promise<void>,
  ): Promise<Message> {
    const pointers = new Map<string, AttachmentPointer>();
    try {
      await upload(pointers);
      const profileKey = this.options.ownProfileKey?.() ?? null;
      const dataMessage = dataMessageOf(message, pointers, {
        ...this.timerFields(conversation, expireTimer),
        ...(profileKey ? { profileKey } : {}),
      });
      await this.delivery.deliver(conversation, { dataMessage }, message.sentAt, {
        online: false,
        urgent: true,
      });
    } catch (error) {
      await this.options.lock.run(() => this.options.store.setStatus(message.id, 'failed'));
      throw failedWith(error, conversation.id, message.id);
    } finally {
      for (const pointer of pointers.values()) pointer.key?.fill(0);
    }
    return this.#settleSent(message.id);
  }

  /** Uploads a message's files in order into `pointers` (progress events; each cancellable by its id). */
  async #upload(
    messageId: string,
    files: readonly { readonly attachmentId: string; readonly prepared: PreparedAttachment }[],
    pointers: Map<string, AttachmentPointer>,
  ): Promise<void> {
    const machinery = this.options.attachments?.();
    if (files.length === 0) return;
    if (!machinery) throw new NotAvailableError('Attachments are not available in this client.');
    for (const { attachmentId, prepared } of files) {
      const controller = this.options.transfers?.start(attachmentId);
      try {
        const pointer = await uploadAttachment(prepared, machinery.transport, {
          onProgress: (loaded, total) =>
            this.options.onProgress?.({ messageId, attachmentId, direction: 'upload', loaded, total }),
          ...(controller ? { signal: controller.signal } : {}),
        });
        pointers.set(attachmentId, pointer);
      } finally {
        if (controller) this.options.transfers?.end(attachmentId, controller);
      }
    }
  }

  /** The disappearing timer a message to this chat carries now: its own override, else the default. */
  #chatTimer(conversation: Conversation): number | null {
    return conversation.expireTimerSeconds ?? this.options.defaultExpireTimer?.() ?? null;
  }

  /** "sent" once the server accepted it — unless a receipt already moved it further. */
  #settleSent(messageId: string): Promise<Message> {
    return this.options.lock.run(() => {
      const current = this.options.store.getMessage(messageId);
      if (current && current.status !== 'pending') return current;
      return this.options.store.setStatus(messageId, 'sent');
    });
  }

  /**
   * Change a chat's disappearing timer and tell the contact (a DataMessage with the timer flag). Our
   * change takes the next timer version (Signal's rule), so a contact's older change cannot undo it.
   */
  async setExpireTimer(conversationId: string, seconds: number | null): Promise<Conversation> {
    const { store } = this.options;
    const conversation = this.conversation(conversationId);
    const updated = await this.options.lock.run(() =>
      store.transaction(() => {
        const current = store.getConversation(conversationId) ?? conversation;
        const next = store.updateConversation(conversationId, {
          expireTimerSeconds: seconds,
          expireTimerVersion: current.expireTimerVersion + 1,
        });
        store.addEvent(conversationId, 'timer-changed', { seconds: next.expireTimerSeconds, byThem: false });
        return next;
      }),
    );
    const timestamp = this.nextTimestamp();
    await this.delivery.deliver(
      conversation,
      {
        dataMessage: {
          timestamp,
          flags: 2,
          expireTimer: updated.expireTimerSeconds ?? 0,
          expireTimerVersion: updated.expireTimerVersion,
        },
      },
      timestamp,
      { online: false, urgent: false },
    );
    return updated;
  }

  /** Every outgoing DataMessage carries the chat's timer and its version, as Signal's clients do. */
  timerFields(
    conversation: Conversation,
    expireTimer: number | null,
  ): { expireTimer?: number; expireTimerVersion?: number } {
    const current = this.options.store.getConversation(conversation.id) ?? conversation;
    return {
      ...(expireTimer ? { expireTimer } : {}),
      ...(current.expireTimerVersion > 0 ? { expireTimerVersion: current.expireTimerVersion } : {}),
    };
  }

  /**
   * Deliver a DataMessage that changes an earlier message (reaction, delete, edit: ./changes.ts) to the
   * chat's contact; `content` gets the timestamp.
   */
  async deliverChange(conversation: Conversation, content: (timestamp: number) => Content): Promise<number> {
    const { crypto } = this.options;
    if (conversation.blocked) throw new BlockedError();
    if (crypto.needsApproval(conversation.serviceId)) throw new UntrustedIdentityError(conversation.id);
    const timestamp = this.nextTimestamp();
    await this.delivery.deliver(conversation, content(timestamp), timestamp, { online: false, urgent: true });
    return timestamp;
  }

  async sendReceipt(
    serviceId: string,
    kind: 'delivery' | 'read',
    timestamps: readonly number[],
  ): Promise<void> {
    if (timestamps.length === 0) return;
    const conversation = this.options.store.findConversationByServiceId(serviceId);
    if (conversation?.isRequest || conversation?.blocked) return;
    const timestamp = this.nextTimestamp();
    const receipt: Content = {
      receiptMessage: {
        type: kind === 'read' ? ReceiptType.READ : ReceiptType.DELIVERY,
        timestamp: [...timestamps],
      },
    };
    const flags = { online: false, urgent: false };
    // A group member we have no chat with: the receiver only asks when the group is no request.
    if (!conversation) await this.delivery.deliverTo(serviceId, receipt, timestamp, flags);
    else await this.delivery.deliver(conversation, receipt, timestamp, flags);
  }

  async sendTyping(conversationId: string, started: boolean): Promise<void> {
    const conversation = this.conversation(conversationId);
    if (conversation.isRequest || conversation.blocked) return;
    const timestamp = this.nextTimestamp();
    await this.delivery.deliver(
      conversation,
      { typingMessage: { timestamp, action: started ? TypingAction.STARTED : TypingAction.STOPPED } },
      timestamp,
      { online: true, urgent: false },
    );
  }

  /** The user confirmed the new safety number: allow sending again, clear the banner. */
  async confirmIdentity(conversationId: string): Promise<Conversation> {
    const conversation = this.conversation(conversationId);
    return this.options.lock.run(() => {
      this.options.crypto.approve(conversation.serviceId);
      return this.options.store.updateConversation(conversationId, { safetyNumberChanged: false });
    });
  }

  private conversation(conversationId: string): Conversation {
    const conversation = this.options.store.getConversation(conversationId);
    if (!conversation) throw new NotFoundError('No such conversation.');
    return conversation;
  }
}

/**
 * The assembled messaging client for one registered account, a facade over single-purpose parts:
 * ChatLink (chat sockets, reconnect), Receiver (decrypt → commit → ack) and Sender, Receipts (delivery
 * batching, read receipts), ExpiryTimer (disappearing messages), Downloads (incoming attachments),
 * PreKeyMaintenance (our prekeys on the server) and the profile-key rotation — all over the vault's one
 * connection, their writes through one write queue (see docs/ARCHITECTURE.md). Restarting it from the
 * same vault continues the same libsignal sessions: every piece of state lives in the vault DB. A little
 * over the ~400-line norm because it is the one public surface: one short method per command it serves.
 *
 *   const client = await MessagingClient.start({ vault, config, credentials });
 *   client.on('message.added', …); await client.sendText(conversationId, 'hi'); await client.stop();
 */
import { AccountKv } from '../account/account-kv.js';
import { groupIdOfConversation } from '../groups/group-store.js';
import { createGroups, type Groups, type GroupsPart } from '../groups/index.js';
import { createGroupSend, type GroupSendPart } from '../groups/send/index.js';
import { SerialQueue } from '../async/serial-queue.js';
import { NotAvailableError, NotFoundError, PreconditionError, VaultLockedError } from '../errors.js';
import { errorFields, log } from '../log.js';
import { directSocketOpener } from '../net/direct-opener.js';
import { SignalProtocolStores } from '../signal/stores/index.js';
import { AttachmentRecords, type AttachmentInfo } from './attachments/records.js';
import { MessageChanges } from './changes.js';
import { IncomingMeaning } from './incoming-meaning.js';
import { MessageMeaning } from './meaning.js';
import {
  createAttachmentTransport,
  type AttachmentBytes,
  type AttachmentTransport,
} from './attachments/service.js';
import { ClientEmitter, type ClientEvents } from './client-events.js';
import type { MessagingClientOptions } from './client-options.js';
import { ChatLink } from './connection.js';
import type { ChatRequester } from './delivery.js';
import { Downloads } from './downloads.js';
import { Transfers } from './attachments/transfers.js';
import { inboxHandler } from './inbox.js';
import { ExpiryTimer, purgeExpired } from './expiry.js';
import { PreKeyMaintenance } from './prekey-maintenance.js';
import { rotateProfileKey } from './profile-key.js';
import { Receipts } from './receipts.js';
import { Receiver } from './receiver.js';
import type { OutgoingPreview } from './outgoing-preview.js';
import { Sender, type OutgoingFile } from './sender.js';
import { SignalAdapter } from './signal-adapter.js';
import { discardSentViewOnce, ViewOnceViewings, type ViewOnceItem } from './view-once.js';
import { MessageStore, type Conversation, type ConversationInit, type Message, type Page } from './store.js';

export type { AccountCredentials } from './connection.js';
export { purgeExpiredMessages } from './expiry.js';
export { failInterruptedSends } from './resend.js';

export class MessagingClient {
  readonly store: MessageStore;
  readonly stores: SignalProtocolStores;
  readonly receiver: Receiver;
  readonly sender: Sender;
  /** Groups v2 (src/groups). */
  readonly groups: Groups;
  private readonly groupsPart: GroupsPart;
  /** Sending to groups, and each member's delivery state of our group messages (src/groups/send). */
  readonly groupSend: GroupSendPart;
  /** Attachment rows (undefined when the vault has no file store or attachments are off). */
  readonly attachments: AttachmentRecords | undefined;
  private readonly transport: AttachmentTransport | undefined;
  private readonly downloads: Downloads | undefined;
  /** Received view-once media being viewed (read by range until it is shredded). */
  private readonly viewings: ViewOnceViewings | undefined;
  /** Uploads and downloads running now, by attachment id (see cancelTransfer). */
  private readonly transfers = new Transfers();
  private readonly clock: () => number;
  /** The one write queue: envelopes, sends, user actions and the API's other vault writes. */
  private readonly lock = new SerialQueue();
  private readonly link: ChatLink;
  private readonly receipts: Receipts;
  private readonly expiry: ExpiryTimer;
  private readonly preKeys: PreKeyMaintenance;
  private readonly events = new ClientEmitter();
  private readonly adapter: SignalAdapter;
  /** The unseal worker's end (its copy of the identity key zeroed first), started by halt(). */
  private closingAdapter: Promise<void> | undefined;
  private readonly changes: MessageChanges;
  /** The chat open and visible on screen (messages arriving there are read at once), or null. */
  private visibleConversationId: string | null = null;
  private stopped = false;
  private removeLockHook: (() => void) | undefined;

  private constructor(private readonly options: MessagingClientOptions) {
    const db = options.vault.db;
    this.clock = options.clock ?? Date.now;
    this.store = new MessageStore(db, { clock: this.clock });
    const openSocket = options.openSocket ?? directSocketOpener;
    this.link = new ChatLink({
      config: options.config,
      credentials: options.credentials,
      openSocket,
      keepaliveIntervalMs: options.keepaliveIntervalMs,
      reconnect: options.reconnect !== false,
      onRequest: inboxHandler({
        handleEnvelope: async (envelope) => {
          const outcome = await this.receiver.handleEnvelope(envelope);
          this.preKeys.envelopeHandled();
          return outcome;
        },
        onEnvelope: options.onEnvelope,
        onQueueEmpty: (processed) => {
          this.receipts.flush();
          this.events.emit('queue.empty', { processed });
        },
      }),
      onConnectedChange: (connected, failure) => {
        if (connected) {
          // What failed while we were offline goes out / comes in now (also on the first connect).
          this.receipts.flush();
          this.downloads?.resume();
          this.preKeys.connected();
        }
        this.events.emit('connection.state', { connected, ...(failure ? { failure } : {}) });
      },
    });
    const files = options.attachments === false ? undefined : options.vault.files;
    if (files) {
      const records = new AttachmentRecords(db, files, this.clock);
      // The same route as the chat socket (SOCKS/Tor when set): CDN and upload-form traffic too.
      const transport = createAttachmentTransport({
        config: options.config,
        openSocket,
        credentials: options.credentials,
      });
      this.attachments = records;
      this.transport = transport;
      this.viewings = new ViewOnceViewings(this.store, records, (work) => {
        void this.lock.run(work).catch((error: unknown) => {
          log.warn('messaging.view_once.shred_failed', errorFields(error));
        });
      });
      this.downloads = new Downloads({
        store: this.store,
        records,
        transport,
        transfers: this.transfers,
        running: () => !this.stopped,
        onProgress: (event) => this.events.emit('attachment.progress', event),
        onUpdated: (message) => this.events.emit('message.updated', message),
      });
    }
    this.stores = new SignalProtocolStores(db);
    const { aci, pni, deviceId } = options.credentials;
    const adapter = (this.adapter = new SignalAdapter(
      this.stores,
      { aci, deviceId, ...(pni ? { pni } : {}) },
      options.config.unidentifiedDeliveryTrustRoots,
    ));
    this.sender = new Sender({
      store: this.store,
      lock: this.lock,
      crypto: adapter,
      request: this.link.request,
      unauthenticatedRequest: this.link.unauthenticatedRequest,
      local: { aci, deviceId },
      clock: this.clock,
      attachments: () => {
        const { attachments: records, transport } = this;
        return files && records && transport && !this.stopped ? { files, records, transport } : undefined;
      },
      onProgress: (event) => this.events.emit('attachment.progress', event),
      transfers: this.transfers,
      ...(options.defaultExpireTimer ? { defaultExpireTimer: options.defaultExpireTimer } : {}),
      ...(options.ownProfileKey ? { ownProfileKey: options.ownProfileKey } : {}),
      // A fetched bundle with a new identity key is an identity change too: show it in the timeline.
      afterPreKeys: () => this.store.transaction(() => this.receiver.recordIdentityChanges()),
      groups: () => this.groupSend.send,
    });

    const readReceipts = options.readReceipts ?? (() => true);
    this.receipts = new Receipts(this.sender, new AccountKv(db), readReceipts);
    const meaning = new MessageMeaning(db, this.store, this.attachments, files);
    this.changes = new MessageChanges({
      store: this.store,
      meaning,
      sender: this.sender,
      lock: this.lock,
      clock: this.clock,
      ourAci: aci,
      attachmentInfo: (id) => this.attachments?.get(id),
    });
    this.groupsPart = createGroups({
      db,
      messages: this.store,
      config: options.config,
      openSocket,
      request: this.link.request,
      us: { aci, pni },
      profileKey: () => options.ownProfileKey?.() ?? null,
      exclusive: (write) => this.lock.run(write),
      clock: this.clock,
      announce: async (conversationId, groupV2, timerSeconds) => {
        const conversation = this.store.getConversation(conversationId);
        if (!conversation) return;
        await this.sender.deliverChange(conversation, (timestamp) => ({
          dataMessage: { timestamp, groupV2, ...(timerSeconds ? { expireTimer: timerSeconds } : {}) },
        }));
      },
      removeConversation: (conversationId) => this.lock.run(() => this.dropConversation(conversationId)),
    });
    this.groups = this.groupsPart.groups;
    this.groupSend = createGroupSend({
      db,
      messages: this.store,
      stores: this.stores,
      config: options.config,
      openSocket,
      groups: this.groupsPart,
      us: { aci, deviceId },
      lock: this.lock,
      clock: this.clock,
    });
    this.receiver = new Receiver({
      store: this.store,
      lock: this.lock,
      decryptor: adapter,
      blockUnknownSenders: options.blockUnknownSenders ?? (() => 'off'),
      readReceipts,
      sendReceipt: (receipt) => {
        if (receipt.kind === 'read') this.receipts.sendRead(receipt.serviceId, receipt.timestamps);
        else this.receipts.queueDelivery(receipt.serviceId, receipt.timestamps);
        return Promise.resolve();
      },
      meaning: new IncomingMeaning(meaning, aci, this.clock),
      isVisible: (conversationId) => conversationId === this.visibleConversationId,
      onTyping: (event) => this.events.emit('typing', event),
      ...(this.attachments ? { attachments: this.attachments } : {}),
      onAttachments: (messageId, attachmentIds) => this.downloads?.inBackground(messageId, attachmentIds),
      groups: this.groupsPart.received,
      groupReceipts: (from, kind, timestamps) => this.groupSend.applyReceipt(from, kind, timestamps),
    });
    this.preKeys = new PreKeyMaintenance({
      stores: this.stores,
      request: this.link.request,
      queue: this.lock,
      clock: this.clock,
      connected: () => this.link.connected,
      settings: options.preKeys,
    });
    this.expiry = new ExpiryTimer(this.store, this.clock, () => this.lock.run(() => this.purgeExpired()));
    for (const name of [
      'message.added',
      'message.updated',
      'message.removed',
      'conversation.updated',
    ] as const) {
      this.store.on(name, (payload) => {
        this.events.emit(name, payload);
        if (name === 'message.updated' || name === 'message.added') this.expiry.scheduleSoon();
      });
    }
  }

  /** Open the chat socket and start receiving. The vault must be unlocked. */
  static async start(options: MessagingClientOptions): Promise<MessagingClient> {
    const client = new MessagingClient(options);
    client.removeLockHook = options.vault.addLockHook?.(() => client.onVaultLocked());
    // Before anything can be displayed: what expired while we were closed or locked goes now, and
    // attachments no message refers to any more (view-once viewed, crash leftovers) are shredded.
    client.purgeExpired();
    try {
      client.attachments?.sweepUnreferenced(0);
    } catch (error) {
      log.warn('messaging.attachments.sweep_failed', errorFields(error));
    }
    client.expiry.schedule();
    try {
      await client.link.connect();
    } catch (error) {
      // Not connected: leave nothing behind (lock hook, timers, prepared statements); the caller
      // decides when to retry.
      void client.halt();
      client.removeLockHook?.();
      client.stores.dispose();
      throw error;
    }
    client.receipts.resume();
    return client;
  }

  get connected(): boolean {
    return this.link.connected;
  }

  /**
   * Requests of the account (PIN backup, registration lock) on this client's authenticated socket: the
   * server keeps one per device, so a socket of their own would displace this one.
   */
  get accountRequest(): ChatRequester {
    return this.link.request;
  }

  /** Requests on the unauthenticated socket (with a contact's access key, e.g. their profile). */
  get anonymousRequest(): ChatRequester {
    return this.link.unauthenticatedRequest;
  }

  on<E extends keyof ClientEvents>(name: E, listener: (payload: ClientEvents[E]) => void): () => void {
    return this.events.on(name, listener);
  }

  // ---- commands -------------------------------------------------------------------------------

  /** Every command fails with VaultLockedError once the vault is locked (the Vault's own check). */
  private open(): void {
    void this.options.vault.db;
  }

  conversation(serviceId: string, init?: ConversationInit): Conversation {
    this.open();
    const existing = this.store.findConversationByServiceId(serviceId);
    if (existing) return existing;
    const created = this.store.getOrCreateConversation(serviceId, { isContact: true, ...init });
    // The global default applies to NEW chats: it becomes this chat's own timer (a later change of
    // the default leaves existing chats alone); it reaches the contact with our first message.
    const seconds = this.options.defaultExpireTimer?.() ?? null;
    return seconds ? this.store.updateConversation(created.id, { expireTimerSeconds: seconds }) : created;
  }

  listConversations(): Conversation[] {
    this.open();
    return this.store.listConversations();
  }

  page(conversationId: string, before?: string | null): Page {
    this.open();
    return this.store.page(conversationId, { before: before ?? null });
  }

  /**
   * Send a text, with the link preview the user saw if its link is in the body (see Sender.sendText),
   * replying to `replyTo` (a message of this chat, quoted as Signal encodes it) if given.
   */
  async sendText(
    conversationId: string,
    body: string,
    preview?: OutgoingPreview,
    replyTo?: string,
  ): Promise<Message> {
    this.open();
    const quote = replyTo !== undefined ? this.changes.quoteOf(conversationId, replyTo) : undefined;
    return this.sender.sendText(conversationId, body, preview, quote);
  }

  /**
   * Send one of our failed messages again (Signal's "Send again"): same timestamp, files re-uploaded from
   * our stored copies; a view-once message's media is discarded once it went out, as after a first send.
   */
  async resend(messageId: string): Promise<Message> {
    this.open();
    return this.dropSentViewOnceCopy(await this.sender.resend(messageId));
  }

  /** Our one reaction on a message (see MessageChanges.react). */
  async react(messageId: string, emoji: string, remove = false): Promise<Message> {
    this.open();
    return this.changes.react(messageId, emoji, remove);
  }

  /** Delete one of our sent messages for everyone, within Signal's 24 hours. */
  async deleteForEveryone(messageId: string): Promise<Message> {
    this.open();
    return this.changes.deleteForEveryone(messageId);
  }

  /** Edit one of our sent text messages (24 hours, 10 edits; only the latest text is kept). */
  async edit(messageId: string, body: string): Promise<Message> {
    this.open();
    return this.changes.edit(messageId, body);
  }

  /** Delete a message from this device only, shredded like a disappearing one. */
  async deleteForMe(messageId: string): Promise<void> {
    this.open();
    return this.changes.deleteForMe(messageId);
  }

  /** Signal's "mark as unread": a flag until the chat is read again (no receipt is withdrawn). */
  async markUnread(conversationId: string): Promise<Conversation> {
    this.open();
    return this.lock.run(() => this.store.updateConversation(conversationId, { markedUnread: true }));
  }

  /**
   * The chat open and visible on screen, or null: it is marked read now, and what arrives there while
   * it stays visible is read at once (read receipt, no unread count, no toast).
   */
  async setVisible(conversationId: string | null): Promise<void> {
    this.open();
    this.visibleConversationId = conversationId;
    if (conversationId !== null) await this.markRead(conversationId);
  }

  /**
   * Send files (images are stripped of metadata) with an optional caption; `viewOnce` for a single
   * photo or video the contact may open once. Emits `attachment.progress` while uploading.
   */
  async sendAttachments(
    conversationId: string,
    files: readonly OutgoingFile[],
    body?: string,
    options: { viewOnce?: boolean } = {},
  ): Promise<Message> {
    this.open();
    return this.dropSentViewOnceCopy(await this.sender.sendAttachments(conversationId, files, body, options));
  }

  /** A view-once message of ours that went out: our copy goes, as in Signal (a failed one keeps it). */
  private dropSentViewOnceCopy(message: Message): Promise<Message> | Message {
    if (!message.viewOnce || message.status === 'failed') return message;
    return this.lock.run(() => discardSentViewOnce(this.store, this.attachments, message));
  }

  /**
   * Open a received view-once message: marks it viewed and returns its files, readable by range
   * (readAttachmentRange) until each was read to its end, then shredded (see ./view-once.ts). A second
   * call throws AlreadyViewedError. Not yet downloaded → an error and nothing changes.
   */
  async viewOnce(messageId: string): Promise<ViewOnceItem[]> {
    this.open();
    const viewings = this.viewings;
    if (!viewings) throw new NotAvailableError('Attachments are not available in this client.');
    return this.lock.run(() => viewings.open(messageId));
  }

  /** What the UI may know about an attachment (state, sniffed type, size…; no key). */
  attachmentInfo(attachmentId: string): AttachmentInfo | undefined {
    this.open();
    return this.attachments?.get(attachmentId);
  }

  /** The plaintext of a downloaded attachment (the caller zeroes the Buffer once handed over). */
  readAttachment(
    attachmentId: string,
    which: 'full' | 'thumbnail' = 'full',
    maxBytes?: number,
  ): AttachmentBytes {
    return this.readableAttachments(attachmentId).read(attachmentId, which, maxBytes);
  }

  /** A range of a downloaded attachment, or of view-once media being viewed (the Buffer is the caller's). */
  readAttachmentRange(
    attachmentId: string,
    offset: number,
    length: number,
  ): { bytes: Buffer; size: number; blobType: string } {
    this.open();
    if (this.viewings?.isOpen(attachmentId)) return this.viewings.readRange(attachmentId, offset, length);
    return this.readableAttachments(attachmentId).readRange(attachmentId, offset, length);
  }

  /**
   * Writes a downloaded attachment's plaintext where `choose` (the platform's save dialog) says; false
   * when it was cancelled. View-once media is refused before the dialog opens.
   */
  async saveAttachment(attachmentId: string, choose: () => Promise<string | undefined>): Promise<boolean> {
    this.readableAttachments(attachmentId);
    const destination = await choose();
    if (!destination) return false;
    // The dialog may have stayed open across a lock (this client then ended, even if the vault was
    // unlocked again: VAULT_LOCKED) or the attachment's expiry (NOT_FOUND): asked again.
    if (this.stopped) throw new VaultLockedError();
    await this.readableAttachments(attachmentId).exportTo(attachmentId, destination);
    return true;
  }

  /**
   * The one gate of every ordinary read (whole, by range, saved to disk): only an attachment of a message
   * that is not view-once. View-once media opens only through viewOnce(); once opened it belongs to no
   * message (nor does anything else waiting for the sweep), so it cannot come out this way either.
   */
  private readableAttachments(attachmentId: string): AttachmentRecords {
    this.open();
    if (!this.attachments) throw new NotAvailableError('Attachments are not available in this client.');
    const message = this.store.findMessageByAttachmentId(attachmentId);
    if (!message) throw new NotFoundError('No such attachment.');
    if (message.viewOnce) throw new PreconditionError('View-once media opens only through viewOnce().');
    return this.attachments;
  }

  async sendTyping(conversationId: string, started: boolean): Promise<void> {
    this.open();
    return this.sender.sendTyping(conversationId, started);
  }

  /** A 1:1 chat's timer (Signal's timer message), or a group's: a group change every member follows. */
  async setExpireTimer(conversationId: string, seconds: number | null): Promise<Conversation> {
    this.open();
    const groupId = groupIdOfConversation(this.store.getConversation(conversationId)?.serviceId ?? '');
    if (groupId === undefined) return this.sender.setExpireTimer(conversationId, seconds);
    await this.groups.setTimer(groupId, seconds);
    const updated = this.store.getConversation(conversationId);
    if (!updated) throw new NotFoundError('No such conversation.');
    return updated;
  }

  async confirmIdentity(conversationId: string): Promise<Conversation> {
    this.open();
    return this.sender.confirmIdentity(conversationId);
  }

  /** Accept a held message request: from now on receipts flow both ways. */
  async acceptRequest(conversationId: string): Promise<Conversation> {
    this.open();
    const accepted = await this.lock.run(() =>
      this.store.updateConversation(conversationId, {
        isRequest: false,
        acceptedAt: this.clock(),
        isContact: true,
      }),
    );
    this.downloads?.resume(); // its held media may be fetched now
    return accepted;
  }

  /**
   * Mark the conversation read (up to `upToSeq`), start disappearing timers, and send read receipts
   * to the contact (not for held requests). Returns the messages newly marked read.
   */
  async markRead(conversationId: string, upToSeq?: number): Promise<readonly Message[]> {
    this.open();
    const { newlyRead } = await this.lock.run(() => this.store.markRead(conversationId, upToSeq));
    const conversation = this.store.getConversation(conversationId);
    if (conversation && !conversation.isRequest) {
      // Each author gets the receipts of their own messages (in a group, each member; never the group).
      const byAuthor = new Map<string, number[]>();
      for (const m of newlyRead) {
        if (m.kind !== 'message' || m.direction !== 'in' || !m.sourceServiceId) continue;
        const timestamps = byAuthor.get(m.sourceServiceId);
        if (timestamps) timestamps.push(m.sentAt);
        else byAuthor.set(m.sourceServiceId, [m.sentAt]);
      }
      for (const [author, timestamps] of byAuthor) this.receipts.sendRead(author, timestamps);
    }
    return newlyRead;
  }

  /**
   * Remove a stale contact and stop sharing our profile with them (Molly's "delete stale contacts"):
   * the conversation is kept as a non-contact (or deleted with its messages and attachments when
   * `deleteConversation`), then our profile key is rotated (`rotateProfileKey`), so the key they hold
   * no longer matches our profile's commitment; remaining contacts get the new key with our next
   * message to them. Writing to the removed person again shares the new key with them (as Signal).
   * If the rotation fails (offline), the contact is still removed and the error is thrown: retry
   * `rotateProfileKey()`.
   */
  async removeContact(conversationId: string, options: { deleteConversation?: boolean } = {}): Promise<void> {
    this.open();
    await this.lock.run(() => {
      if (!this.store.getConversation(conversationId)) throw new NotFoundError('No such conversation.');
      if (!options.deleteConversation) {
        this.store.updateConversation(conversationId, {
          isContact: false,
          acceptedAt: null,
          isRequest: false,
        });
        return;
      }
      this.dropConversation(conversationId);
    });
    await this.rotateProfileKey();
  }

  /** Delete a conversation with its messages and their attachments (in the write queue). */
  private dropConversation(conversationId: string): void {
    const attachmentIds = this.store.deleteConversation(conversationId);
    for (const id of attachmentIds) this.attachments?.delete(id);
    this.events.emit('conversation.removed', { id: conversationId });
  }

  /** A new profile key, uploaded then saved (see profile-key.ts); refused without `saveOwnProfileKey`. */
  async rotateProfileKey(): Promise<void> {
    this.open();
    const save = this.options.saveOwnProfileKey;
    if (!save) throw new NotAvailableError('This client cannot store a new profile key.');
    const { profileBody } = this.options;
    await rotateProfileKey({
      aci: this.options.credentials.aci,
      request: this.link.request,
      save,
      ...(profileBody ? { profileBody } : {}),
    });
  }

  /**
   * Delete every message whose disappearing timer ran out (at the client's clock) and shred its
   * attachments (see expiry.ts). Synchronous: call it between envelopes — start does, the timer runs
   * it in the write queue. Returns how many messages were deleted.
   */
  purgeExpired(): number {
    return purgeExpired(this.store, this.attachments, this.clock());
  }

  /**
   * Cancels the upload or download of one attachment: an upload fails its message (nothing is sent), a
   * download stays not downloaded with nothing written. False when no transfer runs for that id.
   */
  cancelTransfer(attachmentId: string): boolean {
    return this.transfers.cancel(attachmentId);
  }

  /** Download one attachment now (e.g. again after a cancel); its message afterwards (undefined: none). */
  async downloadAttachment(attachmentId: string): Promise<Message | undefined> {
    const message = this.store.findMessageByAttachmentId(attachmentId);
    if (!message) return undefined;
    await this.downloadAll(message.id, [attachmentId]);
    return this.store.getMessage(message.id);
  }

  /** Download a message's attachments now (see Downloads.downloadAll); [] without attachments. */
  downloadAll(messageId: string, attachmentIds: readonly string[]): Promise<AttachmentInfo[]> {
    return this.downloads?.downloadAll(messageId, attachmentIds) ?? Promise.resolve([]);
  }

  /**
   * Run work that reads or writes protocol state or the timeline (e.g. the API's PIN / account-data
   * backup) in the client's write queue: never between an envelope's staged decrypt and its commit,
   * whose writes are based on what the decrypt read (see docs/ARCHITECTURE.md).
   */
  runExclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    return this.lock.run(fn);
  }

  // ---- shutdown -------------------------------------------------------------------------------

  /** Stop every timer and socket without waiting (unsent receipts are saved for the next start). */
  private halt(): Promise<void> {
    this.stopped = true;
    this.expiry.stop();
    this.preKeys.stop();
    this.receipts.stop();
    const closing = this.link.close();
    this.transport?.close();
    this.groupsPart.close();
    this.groupSend.close();
    this.closingAdapter ??= this.adapter.close().catch((error: unknown) => {
      log.warn('messaging.unseal_worker_close_failed', errorFields(error));
    });
    return closing;
  }

  private onVaultLocked(): void {
    this.viewings?.dispose();
    this.stores.dispose();
    void this.halt();
  }

  /** Close the socket (no more acks), let the in-flight envelope finish, drop store handles. */
  async stop(): Promise<void> {
    await this.halt();
    await this.closingAdapter;
    await this.lock.run(() => undefined);
    this.removeLockHook?.();
    this.viewings?.dispose();
    this.stores.dispose();
  }
}

/**
 * The assembled messaging client for one registered account: chat WebSocket (src/net) → Receiver
 * (ack after commit) and Sender, over the vault's connection. Restarting it from the same vault
 * continues the same libsignal sessions: every piece of state lives in the vault DB.
 *
 *   const client = await MessagingClient.start({ vault, config, credentials });
 *   client.on('message.added', …); await client.sendText(conversationId, 'hi'); await client.stop();
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { Aci } from '@signalapp/libsignal-client';
import { ProfileKey } from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import { SerialQueue } from '../async/serial-queue.js';
import {
  AlreadyViewedError,
  NetworkError,
  NotAvailableError,
  NotFoundError,
  PreconditionError,
  ServerError,
  ValidationError,
} from '../errors.js';
import { errorFields, log } from '../log.js';
import { openChatConnection, type ChatConnection, type IncomingRequest } from '../net/chat-connection.js';
import type { ClientConfig } from '../net/config.js';
import { directSocketOpener } from '../net/direct-opener.js';
import type { SocketOpener } from '../net/socket-opener.js';
import { SignalProtocolStores } from '../signal/stores.js';
import type { EncryptedFileStore } from '../vault/file-store.js';
import type { SqlDatabase } from '../vault/sql.js';
import { AttachmentRecords, type AttachmentInfo } from './attachments/records.js';
import {
  createAttachmentTransport,
  type AttachmentBytes,
  type AttachmentTransport,
} from './attachments/service.js';
import { Receiver, type BlockUnknownSenders, type ReceiveOutcome, type TypingEvent } from './receiver.js';
import { Sender, type AttachmentProgress, type ChatRequester, type OutgoingFile } from './sender.js';
import { SignalAdapter } from './signal-adapter.js';
import {
  MessageStore,
  type Conversation,
  type ConversationInit,
  type Message,
  type Page,
  type StoreEventName,
  type StoreEvents,
} from './store.js';

export interface AccountCredentials {
  readonly aci: string;
  readonly pni?: string;
  readonly deviceId: number;
  /** The account password for Basic auth; a secret, never logged. */
  readonly password: string;
}

/** The parts of src/vault's Vault the client needs. */
export interface VaultLike {
  readonly db: SqlDatabase;
  /** The vault's encrypted file store; without it the client neither sends nor downloads attachments. */
  readonly files?: EncryptedFileStore;
  addLockHook?(hook: () => void): () => void;
}

export interface MessagingClientOptions {
  readonly vault: VaultLike;
  readonly config: ClientConfig;
  readonly credentials: AccountCredentials;
  /** The route (direct, SOCKS5, Tor). Default: direct. */
  readonly openSocket?: SocketOpener;
  /** Settings hooks (src/settings); read on use so changes apply at once. */
  readonly blockUnknownSenders?: () => BlockUnknownSenders;
  readonly defaultExpireTimer?: () => number | null;
  readonly ownProfileKey?: () => Uint8Array | null;
  readonly keepaliveIntervalMs?: number;
  /** Reconnect after a lost socket (default true), with exponential backoff and jitter. */
  readonly reconnect?: boolean;
  /** Diagnostics/bench tap: each raw (still encrypted) envelope as it arrives. */
  readonly onEnvelope?: (envelope: Uint8Array) => void;
  /** Send/receive attachments when the vault has a file store (default true). */
  readonly attachments?: boolean;
  /**
   * Persist our new profile key after `rotateProfileKey` / `removeContact` uploaded its commitment
   * (`ownProfileKey` must return it from then on). Without it, rotation is refused.
   */
  readonly saveOwnProfileKey?: (profileKey: Uint8Array) => void | Promise<void>;
  /** Injectable clock (tests): message times, disappearing-message expiry. Default Date.now. */
  readonly clock?: () => number;
}

export interface ClientEvents extends StoreEvents {
  typing: TypingEvent;
  /** The server delivered everything it had queued for us. */
  'queue.empty': { readonly processed: number };
  'connection.state': { readonly connected: boolean };
  /** A conversation and its timeline were deleted (removeContact with deleteConversation). */
  'conversation.removed': { readonly id: string };
  /** Upload/download progress of an attachment (bytes of the encrypted blob). */
  'attachment.progress': AttachmentProgress;
}
type ClientEventName = keyof ClientEvents;

const ENVELOPE_PATH = '/api/v1/message';
const QUEUE_EMPTY_PATH = '/api/v1/queue/empty';
const RECEIPT_BATCH_MAX = 100;
const RECEIPT_BATCH_WAIT_MS = 250;

/**
 * The chat socket is request/response-bound (the server sends the next queued envelope after our
 * ack), so Nagle's algorithm only adds latency; measured on the backlog bench: ~99 → ~164 msg/s.
 */
function withNoDelay(open: SocketOpener): SocketOpener {
  return async (target, signal) => {
    const socket = await open(target, signal);
    const tcp = socket as unknown as { setNoDelay?: (noDelay: boolean) => unknown };
    if (typeof tcp.setNoDelay === 'function') tcp.setNoDelay(true);
    return socket;
  };
}

/**
 * Signal's profile-name encryption (public format): AES-256-GCM under the profile key, random 12-byte
 * nonce, the name zero-padded to 53 bytes; output nonce ‖ ciphertext ‖ tag. We have no profile name,
 * so the padded plaintext is empty.
 */
function encryptEmptyProfileName(profileKey: Uint8Array): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', profileKey, nonce);
  const ciphertext = Buffer.concat([cipher.update(Buffer.alloc(53)), cipher.final()]);
  return Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]);
}

/**
 * Delete expired disappearing messages and shred their attachments, without a running client: call
 * it right after unlock, before anything is displayed (MessagingClient.start does the same, but the
 * UI may list conversations before the client has connected). Returns how many messages went.
 */
export function purgeExpiredMessages(vault: VaultLike, now: number = Date.now()): number {
  const store = new MessageStore(vault.db, { clock: () => now });
  const attachmentIds = store.expiredAttachmentIds(now);
  const removed = store.deleteExpired(now);
  const files = vault.files;
  if (files && attachmentIds.length > 0) {
    const records = new AttachmentRecords(vault.db, files, () => now);
    for (const id of attachmentIds) records.delete(id);
  }
  if (removed > 0) log.info('messaging.expired_at_unlock', { removed, attachments: attachmentIds.length });
  return removed;
}

export class MessagingClient {
  readonly store: MessageStore;
  readonly stores: SignalProtocolStores;
  readonly receiver: Receiver;
  readonly sender: Sender;
  /** Attachment rows (undefined when the vault has no file store or attachments are off). */
  readonly attachments: AttachmentRecords | undefined;
  private transport: AttachmentTransport | undefined;
  private readonly files: EncryptedFileStore | undefined;
  private readonly clock: () => number;
  private readonly lock = new SerialQueue();
  private connection: ChatConnection | undefined;
  private stopped = false;
  private readonly listeners = new Map<ClientEventName, Set<(payload: never) => void>>();
  private removeLockHook: (() => void) | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private processedSinceEmpty = 0;
  private reconnectAttempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly pendingReceipts = new Map<string, Set<number>>();
  private receiptTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly options: MessagingClientOptions) {
    const db = options.vault.db;
    this.clock = options.clock ?? Date.now;
    this.store = new MessageStore(db, { clock: this.clock });
    this.files = options.attachments === false ? undefined : options.vault.files;
    if (this.files) {
      this.attachments = new AttachmentRecords(db, this.files, this.clock);
      // The same route as the chat socket (SOCKS/Tor when set): CDN and upload-form traffic too.
      this.transport = createAttachmentTransport({
        config: options.config,
        openSocket: options.openSocket ?? directSocketOpener,
        credentials: options.credentials,
      });
    }
    this.stores = new SignalProtocolStores(db);
    const { aci, pni, deviceId } = options.credentials;
    const adapter = new SignalAdapter(
      this.stores,
      { aci, deviceId, ...(pni ? { pni } : {}) },
      options.config.unidentifiedDeliveryTrustRoots,
    );
    const request: ChatRequester = async (req) => {
      const connection = this.connection;
      if (!connection?.isOpen) throw new NetworkError('Not connected to the chat service.');
      const headers = Object.entries(req.headers ?? {}).map(([k, v]) => `${k}:${v}`);
      const response = await connection.request({
        verb: req.verb,
        path: req.path,
        headers,
        ...(req.body ? { body: req.body } : {}),
      });
      return { status: response.status, ...(response.body ? { body: response.body } : {}) };
    };
    // Sealed-sender sends go over an unauthenticated socket with the recipient's access key, so the
    // server does not learn who sent them (the authenticated socket would identify us).
    const unauthenticatedRequest: ChatRequester = async (req) => {
      const connection = await this.unauthenticated();
      const headers = Object.entries(req.headers ?? {}).map(([k, v]) => `${k}:${v}`);
      const response = await connection.request({
        verb: req.verb,
        path: req.path,
        headers,
        ...(req.body ? { body: req.body } : {}),
      });
      return { status: response.status, ...(response.body ? { body: response.body } : {}) };
    };
    this.sender = new Sender({
      store: this.store,
      lock: this.lock,
      crypto: adapter,
      request,
      unauthenticatedRequest,
      local: { aci, deviceId },
      clock: this.clock,
      attachments: () => {
        const { files, attachments: records, transport } = this;
        return files && records && transport ? { files, records, transport } : undefined;
      },
      onProgress: (event) => this.emit('attachment.progress', event),
      ...(options.defaultExpireTimer ? { defaultExpireTimer: options.defaultExpireTimer } : {}),
      ...(options.ownProfileKey ? { ownProfileKey: options.ownProfileKey } : {}),
      // A fetched bundle with a new identity key is an identity change too: show it in the timeline.
      afterPreKeys: () => this.store.transaction(() => this.receiver.recordIdentityChanges()),
    });
    this.receiver = new Receiver({
      store: this.store,
      lock: this.lock,
      decryptor: adapter,
      blockUnknownSenders: options.blockUnknownSenders ?? (() => 'off'),
      sendReceipt: (receipt) => {
        this.queueDeliveryReceipt(receipt.serviceId, receipt.timestamps);
        return Promise.resolve();
      },
      onTyping: (event) => this.emit('typing', event),
      ...(this.attachments ? { attachments: this.attachments } : {}),
      onAttachments: (messageId, attachmentIds) => this.downloadInBackground(messageId, attachmentIds),
    });
    for (const name of [
      'message.added',
      'message.updated',
      'message.removed',
      'conversation.updated',
    ] as const) {
      this.store.on(name, (payload) => {
        this.emit(name, payload);
        if (name === 'message.updated' || name === 'message.added') this.scheduleExpiry();
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
    client.scheduleExpiry();
    try {
      await client.connect();
    } catch (error) {
      // Not connected: leave nothing behind (lock hook, timers); the caller decides when to retry.
      client.stopped = true;
      client.clearTimers();
      client.closeTransport();
      client.removeLockHook?.();
      throw error;
    }
    client.resumeDownloads();
    return client;
  }

  get connected(): boolean {
    return this.connection?.isOpen ?? false;
  }

  on<E extends ClientEventName>(name: E, listener: (payload: ClientEvents[E]) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Resolves on the next "queue empty" from the server (all queued envelopes committed and acked). */
  waitForQueueEmpty(): Promise<ClientEvents['queue.empty']> {
    return new Promise((resolve) => {
      const off = this.on('queue.empty', (event) => {
        off();
        resolve(event);
      });
    });
  }

  private emit<E extends ClientEventName>(name: E, payload: ClientEvents[E]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        (listener as (p: ClientEvents[E]) => void)(payload);
      } catch (error) {
        log.warn('messaging.listener_failed', errorFields(error));
      }
    }
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

  async sendText(conversationId: string, body: string): Promise<Message> {
    this.open();
    return this.sender.sendText(conversationId, body);
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
    const message = await this.sender.sendAttachments(conversationId, files, body, options);
    if (!message.viewOnce || message.status === 'failed') return message;
    // Like Signal, the sender cannot open its own view-once media either: drop our copy once sent.
    return this.lockRun(() => {
      const viewed = this.store.transaction(() => this.store.markViewed(message.id));
      for (const id of message.attachmentIds) this.attachments?.delete(id);
      return viewed;
    });
  }

  /**
   * Open a received view-once message: returns its media bytes once (for display; the caller zeroes
   * them afterwards), then deletes the attachments' bytes and keeps only a "viewed" marker. A second
   * call throws AlreadyViewedError. Not yet downloaded → ValidationError and nothing changes.
   */
  async viewOnce(messageId: string): Promise<AttachmentBytes[]> {
    this.open();
    const records = this.attachments;
    if (!records) throw new NotAvailableError('Attachments are not available in this client.');
    return this.lockRun(() => {
      const message = this.store.getMessage(messageId);
      if (!message) throw new ValidationError('No such message.');
      if (!message.viewOnce) throw new ValidationError('This is not a view-once message.');
      if (message.viewed) throw new AlreadyViewedError();
      if (message.direction !== 'in') throw new ValidationError('Only received view-once media opens.');
      const shown: AttachmentBytes[] = [];
      try {
        for (const id of message.attachmentIds) shown.push(records.read(id));
      } catch (error) {
        for (const item of shown) item.bytes.fill(0);
        throw error;
      }
      this.store.transaction(() => this.store.markViewed(messageId));
      for (const id of message.attachmentIds) records.delete(id);
      return shown;
    });
  }

  /** What the UI may know about an attachment (state, sniffed type, size…; no key). */
  attachmentInfo(attachmentId: string): AttachmentInfo | undefined {
    this.open();
    return this.attachments?.get(attachmentId);
  }

  /** The plaintext of a downloaded attachment (the caller zeroes the Buffer once handed over). */
  readAttachment(attachmentId: string, which: 'full' | 'thumbnail' = 'full'): AttachmentBytes {
    this.open();
    if (!this.attachments) throw new NotAvailableError('Attachments are not available in this client.');
    const message = this.store.findMessageByAttachmentId(attachmentId);
    if (message?.viewOnce) throw new PreconditionError('View-once media opens only through viewOnce().');
    return this.attachments.read(attachmentId, which);
  }

  async sendTyping(conversationId: string, started: boolean): Promise<void> {
    this.open();
    return this.sender.sendTyping(conversationId, started);
  }

  async setExpireTimer(conversationId: string, seconds: number | null): Promise<Conversation> {
    this.open();
    return this.sender.setExpireTimer(conversationId, seconds);
  }

  async confirmIdentity(conversationId: string): Promise<Conversation> {
    this.open();
    return this.sender.confirmIdentity(conversationId);
  }

  /** Accept a held message request: from now on receipts flow both ways. */
  async acceptRequest(conversationId: string): Promise<Conversation> {
    this.open();
    const accepted = await this.lockRun(() =>
      this.store.updateConversation(conversationId, {
        isRequest: false,
        acceptedAt: this.clock(),
        isContact: true,
      }),
    );
    this.resumeDownloads(); // its held media may be fetched now
    return accepted;
  }

  /**
   * Mark the conversation read (up to `upToSeq`), start disappearing timers, and send read receipts
   * to the contact (not for held requests). Returns the messages newly marked read.
   */
  async markRead(conversationId: string, upToSeq?: number): Promise<readonly Message[]> {
    this.open();
    const { newlyRead } = await this.lockRun(() => this.store.markRead(conversationId, upToSeq));
    const conversation = this.store.getConversation(conversationId);
    const timestamps = newlyRead.filter((m) => m.kind === 'message').map((m) => m.sentAt);
    if (conversation && !conversation.isRequest && timestamps.length > 0) {
      this.sender
        .sendReceipt(conversation.serviceId, 'read', timestamps)
        .catch((error: unknown) => log.warn('messaging.read_receipt_failed', errorFields(error)));
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
    await this.lockRun(() => {
      if (!this.store.getConversation(conversationId)) throw new NotFoundError('No such conversation.');
      if (!options.deleteConversation) {
        this.store.updateConversation(conversationId, {
          isContact: false,
          acceptedAt: null,
          isRequest: false,
        });
        return;
      }
      const attachmentIds = this.store.deleteConversation(conversationId);
      for (const id of attachmentIds) this.attachments?.delete(id);
      this.emit('conversation.removed', { id: conversationId });
    });
    await this.rotateProfileKey();
  }

  /**
   * A new random 32-byte profile key: its commitment and version go to the server (PUT /v1/profile,
   * with our — empty — profile name re-encrypted under the new key), then it is saved locally. Until
   * saved, the old key stays in use, so a failed upload changes nothing.
   */
  async rotateProfileKey(): Promise<void> {
    this.open();
    const save = this.options.saveOwnProfileKey;
    if (!save) throw new NotAvailableError('This client cannot store a new profile key.');
    const key = new Uint8Array(randomBytes(32));
    try {
      const profileKey = new ProfileKey(key);
      const aci = Aci.parseFromServiceIdString(this.options.credentials.aci);
      const body = Buffer.from(
        JSON.stringify({
          commitment: Buffer.from(profileKey.getCommitment(aci).serialize()).toString('base64'),
          version: profileKey.getProfileKeyVersion(aci).toString(),
          name: encryptEmptyProfileName(key).toString('base64'),
          avatar: false,
          sameAvatar: false,
        }),
      );
      const connection = this.connection;
      if (!connection?.isOpen) throw new NetworkError('Not connected to the chat service.');
      const response = await connection.request({
        verb: 'PUT',
        path: '/v1/profile',
        headers: ['content-type:application/json'],
        body,
      });
      if (response.status !== 200)
        throw new ServerError('The server refused the new profile.', response.status);
      await save(key);
      log.info('messaging.profile_key_rotated');
    } finally {
      key.fill(0);
    }
  }

  /**
   * Delivery receipts are batched per contact (as Signal clients do): a 1,000-message backlog then
   * costs a handful of receipt sends instead of 1,000 encrypt + PUT round trips.
   */
  private queueDeliveryReceipt(serviceId: string, timestamps: readonly number[]): void {
    let pending = this.pendingReceipts.get(serviceId);
    if (!pending) {
      pending = new Set();
      this.pendingReceipts.set(serviceId, pending);
    }
    for (const ts of timestamps) pending.add(ts);
    if (pending.size >= RECEIPT_BATCH_MAX) {
      this.flushReceipts();
      return;
    }
    if (!this.receiptTimer) {
      this.receiptTimer = setTimeout(() => this.flushReceipts(), RECEIPT_BATCH_WAIT_MS);
      this.receiptTimer.unref();
    }
  }

  private flushReceipts(): void {
    if (this.receiptTimer) clearTimeout(this.receiptTimer);
    this.receiptTimer = undefined;
    const batches = [...this.pendingReceipts];
    this.pendingReceipts.clear();
    for (const [serviceId, timestamps] of batches) {
      this.sender
        .sendReceipt(serviceId, 'delivery', [...timestamps])
        .catch((error: unknown) => log.warn('messaging.receipt.send_failed', errorFields(error)));
    }
  }

  /**
   * Run other writes to the vault DB (settings, attachments' key rows, …) between envelopes. The
   * receiver keeps a SQLite transaction open across libsignal's async decrypt; a write made on the
   * same connection meanwhile would join that transaction and be rolled back with it if the envelope
   * turns out undecryptable or the process dies before COMMIT. Writes through here never interleave.
   */
  runExclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    return this.lock.run(fn);
  }

  private lockRun<T>(fn: () => T): Promise<T> {
    return this.lock.run(fn);
  }

  // ---- connection -----------------------------------------------------------------------------

  private async connect(): Promise<void> {
    const { config, credentials } = this.options;
    const connection = await openChatConnection({
      endpoint: config.chat,
      trustRootsPem: config.tlsTrustRootsPem,
      openSocket: withNoDelay(this.options.openSocket ?? directSocketOpener),
      auth: { username: `${credentials.aci}.${credentials.deviceId}`, password: credentials.password },
      onRequest: (request) => this.onIncoming(request),
      ...(this.options.keepaliveIntervalMs !== undefined
        ? { keepaliveIntervalMs: this.options.keepaliveIntervalMs }
        : {}),
    });
    if (this.stopped) {
      await connection.close();
      return;
    }
    this.connection = connection;
    this.reconnectAttempt = 0;
    this.emit('connection.state', { connected: true });
    void connection.closed.then((info) => {
      if (this.connection === connection) this.connection = undefined;
      this.emit('connection.state', { connected: false });
      if (!this.stopped && this.options.reconnect !== false) {
        log.info('messaging.connection.lost', { code: info.code });
        this.scheduleReconnect();
      }
    });
  }

  private unauthenticatedConnection: Promise<ChatConnection> | undefined;

  /** The unauthenticated chat socket, opened on first use and reopened after it closed. */
  private unauthenticated(): Promise<ChatConnection> {
    if (this.stopped) return Promise.reject(new NetworkError('The messaging client is stopped.'));
    const existing = this.unauthenticatedConnection;
    if (existing) {
      return existing.then((connection) => {
        if (connection.isOpen) return connection;
        this.unauthenticatedConnection = undefined;
        return this.unauthenticated();
      });
    }
    const { config } = this.options;
    const opening = openChatConnection({
      endpoint: config.chat,
      trustRootsPem: config.tlsTrustRootsPem,
      openSocket: withNoDelay(this.options.openSocket ?? directSocketOpener),
      ...(this.options.keepaliveIntervalMs !== undefined
        ? { keepaliveIntervalMs: this.options.keepaliveIntervalMs }
        : {}),
    });
    this.unauthenticatedConnection = opening;
    opening.catch(() => {
      if (this.unauthenticatedConnection === opening) this.unauthenticatedConnection = undefined;
    });
    return opening;
  }

  private closeUnauthenticated(): void {
    const opening = this.unauthenticatedConnection;
    this.unauthenticatedConnection = undefined;
    opening?.then((connection) => connection.close()).catch(() => undefined);
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const base = Math.min(30_000, 500 * 2 ** this.reconnectAttempt);
    const delay = base / 2 + Math.random() * (base / 2);
    this.reconnectAttempt += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch((error: unknown) => {
        log.warn('messaging.reconnect_failed', errorFields(error));
        this.scheduleReconnect();
      });
    }, delay);
    this.reconnectTimer.unref();
  }

  /** The socket's handler: resolves (→ 200 ack) only once the envelope's result is committed. */
  private async onIncoming(request: IncomingRequest): Promise<number> {
    if (request.verb === 'PUT' && request.path === ENVELOPE_PATH) {
      if (!request.body) return 400;
      this.options.onEnvelope?.(request.body);
      const outcome: ReceiveOutcome = await this.receiver.handleEnvelope(request.body);
      this.processedSinceEmpty += 1;
      log.debug('messaging.receive', { outcome });
      return 200;
    }
    if (request.verb === 'PUT' && request.path === QUEUE_EMPTY_PATH) {
      const processed = this.processedSinceEmpty;
      this.processedSinceEmpty = 0;
      this.flushReceipts();
      this.emit('queue.empty', { processed });
      return 200;
    }
    return 404;
  }

  // ---- disappearing messages ------------------------------------------------------------------

  private scheduleExpiry(): void {
    if (this.stopped) return;
    let next: number | null;
    try {
      next = this.store.nextExpiry();
    } catch {
      return; // vault locked
    }
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    if (next === null) return;
    const delay = Math.max(0, Math.min(next - this.clock(), 60_000));
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      this.lockRun(() => this.purgeExpired())
        .catch((error: unknown) => log.warn('messaging.expiry_failed', errorFields(error)))
        .finally(() => this.scheduleExpiry());
    }, delay);
    this.expiryTimer.unref();
  }

  /**
   * Delete every message whose disappearing timer ran out (at the client's clock) and shred its
   * attachments. Runs at start (before anything is shown) and on every expiry; synchronous, so call
   * it between envelopes (start does; the timer runs it under the write lock). Returns how many
   * messages were deleted.
   */
  purgeExpired(): number {
    const now = this.clock();
    const attachmentIds = this.store.expiredAttachmentIds(now);
    const removed = this.store.deleteExpired(now);
    // Each delete commits on its own, so the file is shredded at once (a crash in between leaves an
    // unreferenced row that the start-up sweep removes).
    for (const id of attachmentIds) this.attachments?.delete(id);
    if (removed > 0) log.info('messaging.expired', { removed, attachments: attachmentIds.length });
    return removed;
  }

  // ---- attachments ----------------------------------------------------------------------------

  /** After a message with attachments is committed: fetch them, then tell the UI (message.updated). */
  private downloadInBackground(messageId: string, attachmentIds: readonly string[]): void {
    void this.downloadAll(messageId, attachmentIds);
  }

  /**
   * Download the given attachments of a message (pending ones; others resolve at once) and emit
   * `message.updated` when each is done. Resolves with their infos; failures stay on the record.
   */
  async downloadAll(messageId: string, attachmentIds: readonly string[]): Promise<AttachmentInfo[]> {
    const records = this.attachments;
    const transport = this.transport;
    if (!records || !transport) return [];
    const infos: AttachmentInfo[] = [];
    for (const attachmentId of attachmentIds) {
      if (this.stopped) break;
      try {
        infos.push(
          await records.download(attachmentId, transport, {
            onProgress: (loaded, total) =>
              this.emit('attachment.progress', {
                messageId,
                attachmentId,
                direction: 'download',
                loaded,
                total,
              }),
          }),
        );
      } catch (error) {
        log.warn('messaging.attachment.download_failed', errorFields(error));
        const info = this.stopped ? undefined : records.get(attachmentId);
        if (info) infos.push(info);
      }
      if (this.stopped) break;
      const message = this.store.getMessage(messageId);
      if (message) this.emit('message.updated', message);
    }
    return infos;
  }

  /** Pending downloads left by a restart, a lock or a network failure: resume them (oldest first). */
  private resumeDownloads(): void {
    const records = this.attachments;
    if (!records) return;
    let pending: string[];
    try {
      pending = records.pendingIds();
    } catch {
      return;
    }
    for (const attachmentId of pending) {
      const message = this.store.findMessageByAttachmentId(attachmentId);
      if (!message) continue;
      // A held request's media waits for acceptance (acceptRequest resumes it).
      if (this.store.getConversation(message.conversationId)?.isRequest) continue;
      this.downloadInBackground(message.id, [attachmentId]);
    }
  }

  private closeTransport(): void {
    const transport = this.transport;
    this.transport = undefined;
    transport?.close();
  }

  // ---- shutdown -------------------------------------------------------------------------------

  private onVaultLocked(): void {
    this.stopped = true;
    this.stores.dispose();
    this.clearTimers();
    this.closeUnauthenticated();
    this.closeTransport();
    void this.connection?.close();
    this.connection = undefined;
  }

  private clearTimers(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.receiptTimer) clearTimeout(this.receiptTimer);
    this.expiryTimer = undefined;
    this.reconnectTimer = undefined;
    this.receiptTimer = undefined;
    this.pendingReceipts.clear(); // unsent delivery receipts are dropped: they are a courtesy
  }

  /** Close the socket (no more acks), let the in-flight envelope finish, drop store handles. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    const connection = this.connection;
    this.connection = undefined;
    if (connection) await connection.close();
    const unauthenticated = this.unauthenticatedConnection;
    this.unauthenticatedConnection = undefined;
    if (unauthenticated) await unauthenticated.then((c) => c.close()).catch(() => undefined);
    this.closeTransport();
    await this.lock.run(() => undefined);
    this.removeLockHook?.();
    this.stores.dispose();
  }
}

export type { StoreEventName };

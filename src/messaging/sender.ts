/**
 * The send pipeline: text messages, delivery/read receipts and typing indicators to a 1:1
 * conversation. Per device: session from a fetched prekey bundle when there is none, encrypt (sealed
 * sender when we hold a sender certificate and the recipient's unidentified-access key, else normal),
 * PUT /v1/messages/{serviceId}; 409 (missing/extra devices) and 410 (stale devices) update the
 * sessions and retry. Outgoing messages are stored first ("pending") and their status updated.
 *
 * Sending to an identity that changed after it was verified throws UntrustedIdentityError until the
 * user confirms it (`confirmIdentity`).
 */
import { SenderCertificate } from '@signalapp/libsignal-client';
import { ProfileKey } from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import {
  BlockedError,
  CarapaceError,
  NetworkError,
  NotAvailableError,
  NotFoundError,
  NotRegisteredError,
  ProtocolError,
  ServerError,
  UntrustedIdentityError,
  ValidationError,
} from '../errors.js';
import { errorFields, log } from '../log.js';
import { encodeContent, ReceiptType, TypingAction, type Content } from '../signal/proto/signal-service.js';
import type { EncryptedFileStore } from '../vault/file-store.js';
import type { AttachmentRecords } from './attachments/records.js';
import {
  prepareOutgoingAttachment,
  storeOutgoingAttachment,
  uploadAttachment,
  type AttachmentTransport,
  type PreparedAttachment,
} from './attachments/service.js';
import type { SerialQueue } from '../async/serial-queue.js';
import type { AttachmentPointer } from '../signal/proto/signal-service.js';
import type { EncryptedForDevice, MessageEncryptor, PreKeyResponseJson } from './signal-adapter.js';
import type { Conversation, Message, MessageStore } from './store.js';

export interface ChatRequest {
  readonly verb: 'GET' | 'PUT' | 'POST' | 'DELETE';
  readonly path: string;
  readonly body?: Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
}
export interface ChatResponse {
  readonly status: number;
  readonly body?: Uint8Array;
}
/** A request over the chat service (the authenticated chat WebSocket, or REST). */
export type ChatRequester = (request: ChatRequest) => Promise<ChatResponse>;

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

export interface OutgoingFile {
  readonly bytes: Uint8Array;
  readonly fileName?: string;
}

const MAX_ATTACHMENTS_PER_MESSAGE = 32;

const MAX_ATTEMPTS = 4;
const MAX_BODY_LENGTH = 64 * 1024;

function json(body: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(body), 'utf8');
}

function parse<T>(response: ChatResponse): T | undefined {
  if (!response.body || response.body.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.from(response.body).toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

export class Sender {
  /** Sends accepted by the server, by kind (sealed = over the unauthenticated socket with an access key). */
  readonly stats = { sealed: 0, unsealed: 0 };
  private lastTimestamp = 0;
  private certificate: { cert: SenderCertificate; expiresAt: number } | undefined;
  private readonly clock: () => number;

  constructor(private readonly options: SenderOptions) {
    this.clock = options.clock ?? Date.now;
  }

  /** Strictly increasing ms timestamps: the (source, device, timestamp) key must be unique. */
  nextTimestamp(): number {
    const now = this.clock();
    this.lastTimestamp = now > this.lastTimestamp ? now : this.lastTimestamp + 1;
    return this.lastTimestamp;
  }

  /** Store and send a text message. Resolves with the stored message (status sent or failed). */
  async sendText(conversationId: string, body: string): Promise<Message> {
    if (typeof body !== 'string' || body.trim().length === 0 || body.length > MAX_BODY_LENGTH) {
      throw new ValidationError('A message needs 1 to 65536 characters of text.');
    }
    const { store, crypto, local } = this.options;
    const conversation = this.conversation(conversationId);
    if (conversation.blocked) throw new BlockedError();
    if (crypto.needsApproval(conversation.serviceId)) throw new UntrustedIdentityError(conversationId);

    const timestamp = this.nextTimestamp();
    const expireTimer = conversation.expireTimerSeconds ?? this.options.defaultExpireTimer?.() ?? null;
    const message = await this.options.lock.run(() =>
      store.transaction(() => {
        // Writing to someone accepts the conversation (a held request becomes a normal chat).
        if (conversation.acceptedAt === null || conversation.isRequest) {
          store.updateConversation(conversationId, { acceptedAt: timestamp, isRequest: false });
        }
        return store.insertOutgoing({
          conversationId,
          sourceServiceId: local.aci,
          sourceDevice: local.deviceId,
          sentAt: timestamp,
          body,
          expireTimerSeconds: expireTimer,
          status: 'pending',
        });
      }),
    );
    const profileKey = this.options.ownProfileKey?.() ?? null;
    const content: Content = {
      dataMessage: {
        body,
        timestamp,
        ...(expireTimer ? { expireTimer } : {}),
        ...(profileKey ? { profileKey } : {}),
      },
    };
    try {
      await this.deliver(conversation, content, timestamp, { online: false, urgent: true });
    } catch (error) {
      await this.options.lock.run(() => store.setStatus(message.id, 'failed'));
      if (error instanceof UntrustedIdentityError) throw new UntrustedIdentityError(conversationId);
      throw error;
    }
    return this.options.lock.run(() => {
      const current = store.getMessage(message.id);
      // A receipt may already have moved it past "sent".
      if (current && current.status !== 'pending') return current;
      return store.setStatus(message.id, 'sent');
    });
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
        prepared.push(
          await prepareOutgoingAttachment({
            bytes: file.bytes,
            ...(file.fileName !== undefined ? { fileName: file.fileName } : {}),
          }),
        );
      }
      const timestamp = this.nextTimestamp();
      const expireTimer = conversation.expireTimerSeconds ?? this.options.defaultExpireTimer?.() ?? null;
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
      const pointers: AttachmentPointer[] = [];
      try {
        for (const [index, item] of prepared.entries()) {
          const attachmentId = attachmentIds[index]!;
          pointers.push(
            await uploadAttachment(item, machinery.transport, {
              onProgress: (loaded, total) =>
                this.options.onProgress?.({
                  messageId: message.id,
                  attachmentId,
                  direction: 'upload',
                  loaded,
                  total,
                }),
            }),
          );
        }
        const profileKey = this.options.ownProfileKey?.() ?? null;
        await this.deliver(
          conversation,
          {
            dataMessage: {
              ...(text ? { body: text } : {}),
              attachments: pointers,
              timestamp,
              ...(viewOnce ? { isViewOnce: true } : {}),
              ...(expireTimer ? { expireTimer } : {}),
              ...(profileKey ? { profileKey } : {}),
            },
          },
          timestamp,
          { online: false, urgent: true },
        );
      } catch (error) {
        await this.options.lock.run(() => store.setStatus(message.id, 'failed'));
        if (error instanceof UntrustedIdentityError) throw new UntrustedIdentityError(conversationId);
        throw error;
      } finally {
        for (const pointer of pointers) pointer.key?.fill(0);
      }
      return this.options.lock.run(() => {
        const current = store.getMessage(message.id);
        if (current && current.status !== 'pending') return current;
        return store.setStatus(message.id, 'sent');
      });
    } finally {
      for (const item of prepared) {
        item.bytes.fill(0);
        item.thumbnail?.bytes.fill(0);
      }
    }
  }

  /** Change a chat's disappearing timer and tell the contact (a DataMessage with the timer flag). */
  async setExpireTimer(conversationId: string, seconds: number | null): Promise<Conversation> {
    const { store } = this.options;
    const conversation = this.conversation(conversationId);
    const updated = await this.options.lock.run(() =>
      store.transaction(() => {
        const next = store.updateConversation(conversationId, { expireTimerSeconds: seconds });
        store.addEvent(conversationId, 'timer-changed', { seconds: next.expireTimerSeconds, byThem: false });
        return next;
      }),
    );
    const timestamp = this.nextTimestamp();
    await this.deliver(
      conversation,
      { dataMessage: { timestamp, flags: 2, expireTimer: updated.expireTimerSeconds ?? 0 } },
      timestamp,
      { online: false, urgent: false },
    );
    return updated;
  }

  async sendReceipt(
    serviceId: string,
    kind: 'delivery' | 'read',
    timestamps: readonly number[],
  ): Promise<void> {
    if (timestamps.length === 0) return;
    const conversation = this.options.store.findConversationByServiceId(serviceId);
    if (!conversation || conversation.isRequest || conversation.blocked) return;
    const timestamp = this.nextTimestamp();
    await this.deliver(
      conversation,
      {
        receiptMessage: {
          type: kind === 'read' ? ReceiptType.READ : ReceiptType.DELIVERY,
          timestamp: [...timestamps],
        },
      },
      timestamp,
      { online: false, urgent: false },
    );
  }

  async sendTyping(conversationId: string, started: boolean): Promise<void> {
    const conversation = this.conversation(conversationId);
    if (conversation.isRequest || conversation.blocked) return;
    const timestamp = this.nextTimestamp();
    await this.deliver(
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

  // ---- delivery ---------------------------------------------------------------------------------

  private async deliver(
    conversation: Conversation,
    content: Content,
    timestamp: number,
    flags: { online: boolean; urgent: boolean },
  ): Promise<void> {
    const serviceId = conversation.serviceId;
    const bytes = encodeContent(content);
    let sealed = await this.sealedMaterial(conversation);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      let devices = this.options.crypto.deviceIds(serviceId);
      if (devices.length === 0) {
        await this.fetchPreKeys(serviceId, '*', sealed?.accessKey);
        devices = this.options.crypto.deviceIds(serviceId);
        if (devices.length === 0) throw new ProtocolError('The contact has no devices.');
      }
      const messages: EncryptedForDevice[] = await this.options.lock.run(async () => {
        const out: EncryptedForDevice[] = [];
        for (const deviceId of devices) {
          out.push(await this.options.crypto.encrypt(serviceId, deviceId, bytes, sealed?.certificate));
        }
        return out;
      });
      const body = json({
        messages: messages.map((m) => ({
          type: m.type,
          destinationDeviceId: m.destinationDeviceId,
          destinationRegistrationId: m.destinationRegistrationId,
          content: Buffer.from(m.content).toString('base64'),
        })),
        timestamp,
        online: flags.online,
        urgent: flags.urgent,
      });
      const response = await this.put(serviceId, body, sealed?.accessKey);
      if (response.status >= 200 && response.status < 300) {
        if (sealed) this.stats.sealed += 1;
        else this.stats.unsealed += 1;
        log.debug('messaging.send.ok', { devices: messages.length, sealed: sealed !== undefined, attempt });
        return;
      }
      if (response.status === 409) {
        const mismatch = parse<{ missingDevices?: number[]; extraDevices?: number[] }>(response) ?? {};
        log.info('messaging.send.mismatched_devices', {
          missing: mismatch.missingDevices?.length ?? 0,
          extra: mismatch.extraDevices?.length ?? 0,
        });
        await this.options.lock.run(() => {
          for (const id of mismatch.extraDevices ?? []) this.options.crypto.deleteSession(serviceId, id);
        });
        for (const id of mismatch.missingDevices ?? [])
          await this.fetchPreKeys(serviceId, id, sealed?.accessKey);
        continue;
      }
      if (response.status === 410) {
        const stale = parse<{ staleDevices?: number[] }>(response)?.staleDevices ?? [];
        log.info('messaging.send.stale_devices', { stale: stale.length });
        await this.options.lock.run(() => {
          for (const id of stale) this.options.crypto.deleteSession(serviceId, id);
        });
        for (const id of stale) await this.fetchPreKeys(serviceId, id, sealed?.accessKey);
        continue;
      }
      if (response.status === 401 && sealed) {
        // Our idea of their access key is wrong (profile key changed): fall back to a normal send.
        log.info('messaging.send.sealed_refused');
        sealed = undefined;
        continue;
      }
      if (response.status === 404) throw new NotRegisteredError('The contact is not registered on Signal.');
      throw new ServerError('The server refused the message.', response.status);
    }
    throw new NetworkError('Could not deliver the message after several attempts.');
  }

  /**
   * PUT /v1/messages. Sealed sends go over the unauthenticated socket with the access key; if that
   * socket cannot be reached, the (still sealed) message goes over the authenticated one instead of
   * failing — the content stays hidden, only the sender is then known to the server.
   */
  private async put(serviceId: string, body: Uint8Array, accessKey?: Uint8Array): Promise<ChatResponse> {
    const path = `/v1/messages/${serviceId}`;
    const unauthenticated = this.options.unauthenticatedRequest;
    if (accessKey && unauthenticated) {
      try {
        return await unauthenticated({
          verb: 'PUT',
          path,
          body,
          headers: {
            'content-type': 'application/json',
            'unidentified-access-key': Buffer.from(accessKey).toString('base64'),
          },
        });
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error;
        log.warn('messaging.send.unauthenticated_unavailable', errorFields(error));
      }
    }
    return this.options.request({ verb: 'PUT', path, body, headers: { 'content-type': 'application/json' } });
  }

  private async fetchPreKeys(serviceId: string, device: number | '*', accessKey?: Uint8Array): Promise<void> {
    const useUnauth = accessKey && this.options.unauthenticatedRequest;
    const request: ChatRequest = {
      verb: 'GET',
      path: `/v2/keys/${serviceId}/${device}`,
      ...(useUnauth
        ? { headers: { 'unidentified-access-key': Buffer.from(accessKey).toString('base64') } }
        : {}),
    };
    const response = useUnauth
      ? await this.options.unauthenticatedRequest(request)
      : await this.options.request(request);
    if (response.status === 404) throw new NotRegisteredError('The contact is not registered on Signal.');
    if (response.status !== 200)
      throw new ServerError('Could not fetch the contact’s keys.', response.status);
    const keys = parse<PreKeyResponseJson>(response);
    if (!keys || typeof keys.identityKey !== 'string' || !Array.isArray(keys.devices)) {
      throw new ProtocolError('Malformed prekey response.');
    }
    await this.options.lock.run(async () => {
      try {
        await this.options.crypto.processPreKeys(serviceId, keys);
      } finally {
        this.options.afterPreKeys?.();
      }
    });
  }

  /**
   * Sealed sender needs our sender certificate (GET /v1/certificate/delivery, cached until it
   * expires) and the recipient's unidentified-access key, derived from their profile key.
   */
  private async sealedMaterial(
    conversation: Conversation,
  ): Promise<{ certificate: SenderCertificate; accessKey: Uint8Array } | undefined> {
    const profileKey = this.options.store.getProfileKey(conversation.id);
    if (!profileKey) return undefined;
    let accessKey: Uint8Array;
    try {
      accessKey = new ProfileKey(new Uint8Array(profileKey)).deriveAccessKey();
    } catch {
      return undefined;
    } finally {
      profileKey.fill(0);
    }
    try {
      const certificate = await this.senderCertificate();
      return { certificate, accessKey };
    } catch (error) {
      if (!(error instanceof CarapaceError)) throw error;
      log.warn('messaging.send.no_sender_certificate', errorFields(error));
      return undefined;
    }
  }

  private async senderCertificate(): Promise<SenderCertificate> {
    const now = this.clock();
    if (this.certificate && this.certificate.expiresAt - 60_000 > now) return this.certificate.cert;
    const response = await this.options.request({
      verb: 'GET',
      path: '/v1/certificate/delivery?includeE164=false',
    });
    if (response.status !== 200) throw new ServerError('No sender certificate.', response.status);
    const body = parse<{ certificate?: string }>(response);
    if (!body?.certificate) throw new ProtocolError('Malformed sender certificate response.');
    let cert: SenderCertificate;
    try {
      cert = SenderCertificate.deserialize(new Uint8Array(Buffer.from(body.certificate, 'base64')));
    } catch (error) {
      throw new ProtocolError('Malformed sender certificate.', { cause: error });
    }
    this.certificate = { cert, expiresAt: cert.expiration() };
    return cert;
  }
}

/**
 * How a message reaches a contact's devices: per device a session (from a fetched prekey bundle when
 * there is none), encrypt — sealed sender when we hold a sender certificate and the recipient's
 * unidentified-access key, else normal — and PUT /v1/messages/{serviceId}; 409 (missing/extra devices)
 * and 410 (stale devices) update the sessions and retry. Session changes run in the write queue.
 * A group conversation (service id `group:<id>`) goes to the group sender (src/groups/send/), which uses
 * this class's one-to-one steps for sender-key distribution and per-member fallback sends.
 */
import { SenderCertificate } from '@signalapp/libsignal-client';
import { ProfileKey } from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import type { SerialQueue } from '../async/serial-queue.js';
import {
  CarapaceError,
  NetworkError,
  NotAvailableError,
  ProtocolError,
  RecipientNotRegisteredError,
  ServerError,
} from '../errors.js';
import { groupIdOfConversation } from '../groups/group-store.js';
import { errorFields, log } from '../log.js';
import { encodeContent, type Content } from '../signal/proto/signal-service.js';
import type { EncryptedForDevice, MessageEncryptor, PreKeyResponseJson } from './signal-adapter.js';
import type { Conversation, MessageStore } from './store.js';

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

const MAX_ATTEMPTS = 4;

function json(body: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(body), 'utf8');
}

/** A contact's unidentified-access key, from their profile key (undefined without one). */
function accessKeyOf(profileKey: Uint8Array | null): Uint8Array | undefined {
  if (!profileKey) return undefined;
  try {
    return new ProfileKey(Buffer.from(profileKey)).deriveAccessKey();
  } catch {
    return undefined;
  }
}

function parse<T>(response: ChatResponse): T | undefined {
  if (!response.body || response.body.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.from(response.body).toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

/** What a group send may carry beyond the content (a group change we made: the server-signed change). */
export interface DeliverExtras {
  readonly groupChange?: Uint8Array;
}

export type SendFlags = { readonly online: boolean; readonly urgent: boolean };

/** The one-to-one steps a group send builds on (implemented by Delivery). */
export interface OneToOneDelivery {
  /**
   * Encrypt for every device of `serviceId` and send (sealed when `profileKey` gives an access key and we
   * hold a sender certificate), fixing missing/extra/stale devices on the way.
   */
  sendTo(
    serviceId: string,
    bytes: Uint8Array,
    timestamp: number,
    flags: SendFlags,
    profileKey: Uint8Array | null,
  ): Promise<void>;
  /** The devices we hold sessions with, after fetching the contact's bundles when there are none. */
  ensureSessions(serviceId: string, profileKey: Uint8Array | null): Promise<number[]>;
  /** The server's view of a contact's devices (409/410): drop the sessions it names, fetch the new ones. */
  fixDevices(
    serviceId: string,
    devices: { missing: readonly number[]; extra: readonly number[]; stale: readonly number[] },
    profileKey: Uint8Array | null,
  ): Promise<void>;
  senderCertificate(): Promise<SenderCertificate>;
}

/** The group half of a send (src/groups/send/group-send.ts). */
export interface GroupDelivery {
  deliver(
    conversation: Conversation,
    content: Content,
    timestamp: number,
    flags: SendFlags,
    extras: DeliverExtras,
    direct: OneToOneDelivery,
  ): Promise<void>;
}

interface DeliveryOptions {
  readonly store: MessageStore;
  readonly lock: SerialQueue;
  readonly crypto: MessageEncryptor;
  readonly request: ChatRequester;
  /** Optional unauthenticated requester for sealed-sender sends (Signal requires it; the mock accepts either). */
  readonly unauthenticatedRequest?: ChatRequester;
  readonly clock: () => number;
  /** Runs in the write queue after a prekey bundle was processed (it may have changed an identity). */
  readonly afterPreKeys?: () => void;
  /** Sends to group conversations (absent: a group conversation cannot be sent to). */
  readonly groups?: () => GroupDelivery | undefined;
}

export class Delivery implements OneToOneDelivery {
  /** Sends accepted by the server, by kind (sealed = over the unauthenticated socket with an access key). */
  readonly stats = { sealed: 0, unsealed: 0 };
  private certificate: { cert: SenderCertificate; expiresAt: number } | undefined;

  constructor(private readonly options: DeliveryOptions) {}

  /**
   * Encrypt `content` for every device of the contact and PUT it (sealed sender when possible);
   * resolves once the server accepted it, after fixing missing/extra/stale devices on the way. A group
   * conversation goes to the group sender.
   */
  async deliver(
    conversation: Conversation,
    content: Content,
    timestamp: number,
    flags: SendFlags,
    extras: DeliverExtras = {},
  ): Promise<void> {
    if (groupIdOfConversation(conversation.serviceId) !== undefined) {
      const groups = this.options.groups?.();
      if (!groups) throw new NotAvailableError('Group messages cannot be sent from this client.');
      await groups.deliver(conversation, content, timestamp, flags, extras, this);
      return;
    }
    const profileKey = this.options.store.getProfileKey(conversation.id);
    await this.deliverTo(conversation.serviceId, content, timestamp, flags, profileKey);
  }

  /**
   * To one account's devices: a 1:1 chat's contact, or a group member we have no chat with (the receipt
   * of their group message). Without their profile key it is not sealed.
   */
  async deliverTo(
    serviceId: string,
    content: Content,
    timestamp: number,
    flags: SendFlags,
    profileKey: Uint8Array | null = null,
  ): Promise<void> {
    // The plaintext is zeroed once sent: a freed Buffer's memory is not (memory-wipe measurement).
    const bytes = encodeContent(content);
    try {
      await this.sendTo(serviceId, bytes, timestamp, flags, profileKey);
    } finally {
      bytes.fill(0);
      profileKey?.fill(0);
    }
  }

  async sendTo(
    serviceId: string,
    bytes: Uint8Array,
    timestamp: number,
    flags: SendFlags,
    profileKey: Uint8Array | null,
  ): Promise<void> {
    let sealed = await this.sealedMaterial(profileKey);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const devices = await this.ensureSessions(serviceId, profileKey);
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
        await this.fixDevices(
          serviceId,
          { missing: mismatch.missingDevices ?? [], extra: mismatch.extraDevices ?? [], stale: [] },
          profileKey,
        );
        continue;
      }
      if (response.status === 410) {
        const stale = parse<{ staleDevices?: number[] }>(response)?.staleDevices ?? [];
        log.info('messaging.send.stale_devices', { stale: stale.length });
        await this.fixDevices(serviceId, { missing: [], extra: [], stale }, profileKey);
        continue;
      }
      if (response.status === 401 && sealed) {
        // Our idea of their access key is wrong (profile key changed): fall back to a normal send.
        log.info('messaging.send.sealed_refused');
        sealed = undefined;
        continue;
      }
      if (response.status === 404) throw new RecipientNotRegisteredError();
      throw new ServerError('The server refused the message.', response.status);
    }
    throw new NetworkError('Could not deliver the message after several attempts.');
  }

  async ensureSessions(serviceId: string, profileKey: Uint8Array | null): Promise<number[]> {
    const devices = this.options.crypto.deviceIds(serviceId);
    if (devices.length > 0) return devices;
    await this.fetchPreKeys(serviceId, '*', accessKeyOf(profileKey));
    const fetched = this.options.crypto.deviceIds(serviceId);
    if (fetched.length === 0) throw new ProtocolError('The contact has no devices.');
    return fetched;
  }

  async fixDevices(
    serviceId: string,
    devices: { missing: readonly number[]; extra: readonly number[]; stale: readonly number[] },
    profileKey: Uint8Array | null,
  ): Promise<void> {
    await this.options.lock.run(() => {
      for (const id of [...devices.extra, ...devices.stale]) this.options.crypto.deleteSession(serviceId, id);
    });
    const accessKey = accessKeyOf(profileKey);
    for (const id of [...devices.missing, ...devices.stale])
      await this.fetchPreKeys(serviceId, id, accessKey);
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
    if (response.status === 404) throw new RecipientNotRegisteredError();
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
    profileKey: Uint8Array | null,
  ): Promise<{ certificate: SenderCertificate; accessKey: Uint8Array } | undefined> {
    const accessKey = accessKeyOf(profileKey);
    if (!accessKey) return undefined;
    try {
      const certificate = await this.senderCertificate();
      return { certificate, accessKey };
    } catch (error) {
      if (!(error instanceof CarapaceError)) throw error;
      log.warn('messaging.send.no_sender_certificate', errorFields(error));
      return undefined;
    }
  }

  async senderCertificate(): Promise<SenderCertificate> {
    const now = this.options.clock();
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

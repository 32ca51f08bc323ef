/**
 * How a message reaches a contact's devices: per device a session (from a fetched prekey bundle when
 * there is none), encrypt — sealed sender when we hold a sender certificate and the recipient's
 * unidentified-access key, else normal — and PUT /v1/messages/{serviceId}; 409 (missing/extra devices)
 * and 410 (stale devices) update the sessions and retry. Session changes run in the write queue.
 */
import { SenderCertificate } from '@signalapp/libsignal-client';
import { ProfileKey } from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import type { SerialQueue } from '../async/serial-queue.js';
import { CarapaceError, NetworkError, NotRegisteredError, ProtocolError, ServerError } from '../errors.js';
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

function parse<T>(response: ChatResponse): T | undefined {
  if (!response.body || response.body.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.from(response.body).toString('utf8')) as T;
  } catch {
    return undefined;
  }
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
}

export class Delivery {
  /** Sends accepted by the server, by kind (sealed = over the unauthenticated socket with an access key). */
  readonly stats = { sealed: 0, unsealed: 0 };
  private certificate: { cert: SenderCertificate; expiresAt: number } | undefined;

  constructor(private readonly options: DeliveryOptions) {}

  /**
   * Encrypt `content` for every device of the contact and PUT it (sealed sender when possible);
   * resolves once the server accepted it, after fixing missing/extra/stale devices on the way.
   */
  async deliver(
    conversation: Conversation,
    content: Content,
    timestamp: number,
    flags: { online: boolean; urgent: boolean },
  ): Promise<void> {
    // The plaintext is zeroed once sent: a freed Buffer's memory is not (memory-wipe measurement).
    const bytes = encodeContent(content);
    try {
      await this.deliverEncoded(conversation, bytes, timestamp, flags);
    } finally {
      bytes.fill(0);
    }
  }

  private async deliverEncoded(
    conversation: Conversation,
    bytes: Uint8Array,
    timestamp: number,
    flags: { online: boolean; urgent: boolean },
  ): Promise<void> {
    const serviceId = conversation.serviceId;
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

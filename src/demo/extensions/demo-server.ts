/**
 * DemoServer: @signalapp/mock-server 27 with the few extensions a *multi-client* demo network needs.
 * Everything that departs from the stock mock lives here, each with the reason:
 *
 * 1. Client-to-client delivery. The stock `handleMessage` hands a message for a primary device only to the
 *    mock's own simulated phones and silently drops it for any other primary. Carapace registers real
 *    primaries, so a message for a primary that is not a simulated phone is wrapped in an Envelope and
 *    queued to that device's chat WebSocket, exactly as the stock code does for linked devices.
 * 2. Redelivery until acknowledged. The stock server drops a queued message whose delivery fails
 *    (socket closed before the client answered 200). A client that acks only after committing to its vault
 *    relies on the server keeping unacknowledged messages, so `send` here keeps a message in the device's
 *    queue until the device's socket answered 200 to it.
 * 3. Sealed-sender material for registered primaries. The stock mock derives `accessKey` and
 *    `profileKeyCommitment` only for its simulated phones. Here the unidentified-access key sent in
 *    `POST /v1/registration` account attributes and the profile-key commitment sent in `PUT /v1/profile`
 *    are recorded on the device, so other clients can send to it with sealed sender.
 * 4. Attachment upload forms are served over gRPC only, behind remote config
 *    `grpc.AttachmentsGetUploadForm`, which is switched on.
 * 5. Phone-to-phone delivery. Stock `send` queues for a chat socket, which a simulated phone never has;
 *    here an envelope for a simulated phone is handed to it (simulated members of a group talk to each
 *    other, src/demo/group-phone.ts).
 *
 * The chat-socket request hook (for 3 and the SVR routes) is in chat-socket-hook.ts, the per-device
 * delivery queues (2) in delivery-queues.ts.
 */
import type { Http2SecureServer, ServerHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';
import { Aci } from '@signalapp/libsignal-client';
import { ProfileKeyCommitment } from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import { Proto, Server, type Config, type Device, type PrimaryDevice } from '@signalapp/mock-server';
import { EnvelopeType } from '@signalapp/mock-server';
import type { ServiceIdKind } from '@signalapp/mock-server';
import { within } from '../../async/within.js';
import { log, errorFields } from '../../log.js';
import { GET_UPLOAD_FORM_REMOTE_CONFIG } from '../../net/grpc-attachments.js';
import {
  hookChatRequests,
  type MockConnection,
  type WsRequest,
  type WsResponse,
} from './chat-socket-hook.js';
import { DeliveryQueues } from './delivery-queues.js';
import { DemoDirectory } from './directory.js';
import { reclaimNumber, SvrMount } from './svr-routes.js';
import { WorkshopControl } from './workshop-control.js';

const PRIMARY_DEVICE_ID = 1;

function envelopeTypeToProto(type: EnvelopeType): Proto.Envelope.Type {
  switch (type) {
    case EnvelopeType.CipherText:
      return Proto.Envelope.Type.DOUBLE_RATCHET;
    case EnvelopeType.PreKey:
      return Proto.Envelope.Type.PREKEY_MESSAGE;
    case EnvelopeType.SealedSender:
      return Proto.Envelope.Type.UNIDENTIFIED_SENDER;
    case EnvelopeType.Plaintext:
      return Proto.Envelope.Type.PLAINTEXT_CONTENT;
    default:
      throw new Error(`Unsupported envelope type: ${String(type)}`);
  }
}

function parseJson(body: Uint8Array | null | undefined): unknown {
  if (!body) return undefined;
  try {
    return JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export interface DemoServerOptions {
  /**
   * How many messages may await a device's acknowledgement at once. 1 (default) sends the next message
   * only after the previous one was acknowledged; more pipelines delivery as Signal's server does.
   * Order of sending is always the queue order; unacknowledged messages are redelivered after a reconnect.
   */
  readonly deliveryWindow?: number;
  /** Clock of the key backup / registration lock (src/demo/svr); tests inject one. Default Date.now. */
  readonly clock?: () => number;
}

/** Receive window the demo server offers each HTTP/2 connection and stream (uploads to the CDN). */
const UPLOAD_WINDOW_BYTES = 16 * 1024 * 1024;
export class DemoServer extends Server {
  /** The simulated phones by ACI (the stock handler delivers to those). */
  readonly #simulated = new Map<string, PrimaryDevice>();
  readonly #delivery: DeliveryQueues;
  readonly #sessions = new Set<ServerHttp2Session>();
  readonly #rawSockets = new Set<Socket>();
  /** Messages delivered to registered (non-simulated) devices, for tests and the demo log. */
  deliveredCount = 0;
  /** Key backup, registration lock and account-data storage mounted on the chat socket (svr-routes.ts). */
  readonly svr: SvrMount;
  /** DEMO ONLY phone-number directory (directory.ts): stands in for CDSI, which the mock lacks. */
  readonly directory = new DemoDirectory();
  /** The trainer's scenario route (workshop-control.ts); the demo network sets its runner. */
  readonly workshop = new WorkshopControl();

  constructor(config: Config, options: DemoServerOptions = {}) {
    super(config);
    const window = options.deliveryWindow ?? 1;
    if (!Number.isInteger(window) || window < 1) throw new Error('deliveryWindow must be a positive integer');
    this.#delivery = new DeliveryQueues(window);
    this.svr = new SvrMount(options.clock ? { clock: options.clock } : {});
    hookChatRequests(this);
    this.setRemoteConfig(GET_UPLOAD_FORM_REMOTE_CONFIG, { enabled: true });
  }

  override async listen(port: number, host?: string): Promise<void> {
    await super.listen(port, host);
    const https = this.https as Http2SecureServer;
    https.on('connection', (socket: Socket) => {
      this.#rawSockets.add(socket);
      socket.once('close', () => this.#rawSockets.delete(socket));
    });
    https.on('session', (session: ServerHttp2Session) => {
      this.#sessions.add(session);
      session.once('close', () => this.#sessions.delete(session));
      // A real CDN takes uploads with a wide receive window; HTTP/2's 64 KiB default made every upload
      // wait for this (busy) process's WINDOW_UPDATE every 64 KiB.
      session.once('remoteSettings', () => {
        if (session.destroyed) return;
        session.setLocalWindowSize(UPLOAD_WINDOW_BYTES);
        session.settings({ initialWindowSize: UPLOAD_WINDOW_BYTES });
      });
    });
  }

  /** Closes the listener and every open HTTP/2 session (stock `close()` waits for them forever). */
  async closeNow(timeoutMs = 2000): Promise<void> {
    const closing = this.close();
    for (const session of this.#sessions) session.destroy();
    this.#sessions.clear();
    for (const socket of this.#rawSockets) socket.destroy();
    this.#rawSockets.clear();
    this.#delivery.dropAll('server closed');
    await within(closing, timeoutMs);
  }

  /** Before the stock router: the SVR / registration-lock / storage routes (svr-routes.ts). */
  interceptRequest(
    device: Device | undefined,
    request: WsRequest,
  ): WsResponse | Promise<WsResponse> | undefined {
    return (
      this.directory.intercept(device, request) ??
      this.workshop.intercept(device, request) ??
      this.svr.intercept(device, request, (id) => this.#verifiedNumber(id))
    );
  }

  /** The number of a verification session that is verified (no lock answer, no SVR credentials before). */
  #verifiedNumber(sessionId: string): string | undefined {
    const stored = this.getVerificationSession(sessionId);
    return stored?.session.verified ? stored.number : undefined;
  }

  /** Re-registering a known number keeps its ACI/PNI; the old devices lose their logins and sockets. */
  override async registerDevice(options: Parameters<Server['registerDevice']>[0]): Promise<Device> {
    if (!options.primary && options.number) {
      const reclaimed = reclaimNumber(this, options.number);
      if (reclaimed) {
        this.disconnect(reclaimed.old);
        this.#delivery.drop(reclaimed.old, 're-registered');
        return super.registerDevice({
          primary: reclaimed.primary as Device,
          password: options.password,
          registrationId: options.registrationId,
          pniRegistrationId: options.pniRegistrationId,
        });
      }
    }
    return super.registerDevice(options);
  }

  override async createPrimaryDevice(
    options: Parameters<Server['createPrimaryDevice']>[0],
  ): Promise<PrimaryDevice> {
    const primary = await super.createPrimaryDevice(options);
    this.#simulated.set(primary.device.aci, primary);
    this.directory.addSimulated(primary.device.number, primary.device.aci);
    return primary;
  }

  /**
   * Drops the chat socket of a registered device as a failing network would (for reconnect demos and
   * tests). Returns whether there was one.
   */
  disconnect(device: Device): boolean {
    return this.#delivery.disconnect(device);
  }

  /** Stores bytes as a (v2) attachment served at GET /attachments/<key>; returns the key. */
  storeDemoAttachment(bytes: Buffer<ArrayBuffer>): Promise<string> {
    return this.storeAttachment(bytes);
  }

  /** Whether a registered device currently has a chat socket. */
  isConnected(device: Device): boolean {
    return this.#delivery.isConnected(device);
  }

  /** Number of messages queued for a device and not yet acknowledged by it. */
  pendingCount(device: Device): number {
    return this.#delivery.pendingCount(device);
  }

  override async handleMessage(
    source: Device | undefined,
    serviceIdKind: ServiceIdKind,
    envelopeType: EnvelopeType,
    target: Device,
    encrypted: Buffer<ArrayBuffer>,
    timestamp: bigint,
  ): Promise<void> {
    if (target.deviceId !== PRIMARY_DEVICE_ID || this.#simulated.has(target.aci)) {
      return super.handleMessage(source, serviceIdKind, envelopeType, target, encrypted, timestamp);
    }
    if (envelopeType !== EnvelopeType.SealedSender && !source) {
      throw new Error('No source for non-sealed sender envelope');
    }
    const destination = target.getServiceIdBinaryByKind(serviceIdKind);
    if (!destination) throw new Error('Missing destination service id');
    const envelope = Buffer.from(
      Proto.Envelope.encode({
        type: envelopeTypeToProto(envelopeType),
        sourceServiceIdBinary:
          envelopeType === EnvelopeType.SealedSender ? null : (source?.aciBinary ?? null),
        sourceDeviceId: envelopeType === EnvelopeType.SealedSender ? null : (source?.deviceId ?? null),
        destinationServiceIdBinary: destination,
        serverTimestamp: BigInt(Date.now()),
        clientTimestamp: timestamp,
        content: encrypted,
        urgent: true,
        serverGuid: null,
        ephemeral: null,
        story: null,
        reportSpamToken: null,
        serverGuidBinary: Buffer.from(crypto.getRandomValues(new Uint8Array(16))),
        updatedPniBinary: null,
        sourceServiceId: null,
        destinationServiceId: null,
        updatedPni: null,
      }),
    );
    this.deliveredCount += 1;
    // Do not wait for the recipient to be online: the sender's PUT succeeds once the server stored it.
    void this.send(target, envelope).catch(() => undefined);
  }

  /**
   * Stock `send` drops a message whose delivery failed. Ours keeps every message for a registered device
   * in order until that device acknowledged it with 200, and resolves only then.
   */
  override async send(target: Device, message: Buffer<ArrayBuffer>): Promise<void> {
    const phone = target.deviceId === PRIMARY_DEVICE_ID ? this.#simulated.get(target.aci) : undefined;
    if (phone) return this.#deliverToPhone(phone, message);
    if (target.deviceId !== PRIMARY_DEVICE_ID) {
      return super.send(target, message);
    }
    return this.#delivery.enqueue(target, message);
  }

  /**
   * A simulated phone has no chat socket (stock `send` would queue for it forever): one simulated phone's
   * envelope to another (group changes, group messages between simulated members) is handed to the
   * recipient phone as the stock handler does with a PUT /v1/messages.
   */
  async #deliverToPhone(phone: PrimaryDevice, message: Buffer<ArrayBuffer>): Promise<void> {
    const { sourceServiceIdBinary, sourceDeviceId } = Proto.Envelope.decode(message);
    const source = sourceServiceIdBinary?.length
      ? await this.getDeviceByServiceId(
          Aci.fromUuidBytes(sourceServiceIdBinary).getServiceIdString() as never,
          sourceDeviceId ?? PRIMARY_DEVICE_ID,
        )
      : undefined;
    await phone.receive(source as Device, message);
  }

  override async addWebSocket(device: Device, socket: Parameters<Server['addWebSocket']>[1]): Promise<void> {
    if (this.#simulated.has(device.aci) || device.deviceId !== PRIMARY_DEVICE_ID) {
      return super.addWebSocket(device, socket);
    }
    this.#delivery.attach(device, socket as unknown as MockConnection);
  }

  override removeWebSocket(device: Device, socket: Parameters<Server['removeWebSocket']>[1]): void {
    this.#delivery.detach(device, socket as unknown as MockConnection);
    super.removeWebSocket(device, socket);
  }

  /** Called by the request hook after the stock handler answered a chat-socket request. */
  observeRequest(device: Device | undefined, request: WsRequest, response: WsResponse): void {
    if (response.status !== 200) return;
    try {
      if (request.verb === 'POST' && request.path === '/v1/registration') {
        const body = parseJson(request.body) as
          { accountAttributes?: { unidentifiedAccessKey?: unknown } } | undefined;
        const result = parseJson(response.body) as { uuid?: unknown } | undefined;
        const key = body?.accountAttributes?.unidentifiedAccessKey;
        if (typeof result?.uuid === 'string') {
          this.svr.registered(request, result.uuid, (id) => this.#verifiedNumber(id));
          this.directory.registered(body, result.uuid, (id) => this.#verifiedNumber(id));
        }
        if (typeof result?.uuid === 'string' && Array.isArray(key) && key.length === 16) {
          const aci = result.uuid;
          void this.getDeviceByServiceId(aci as never).then((registered) => {
            if (registered) registered.accessKey = Buffer.from(key as number[]);
          });
        }
      } else if (request.verb === 'PUT' && request.path?.startsWith('/v1/profile') && device) {
        const body = parseJson(request.body) as { commitment?: unknown } | undefined;
        if (typeof body?.commitment === 'string') {
          device.profileKeyCommitment = new ProfileKeyCommitment(Buffer.from(body.commitment, 'base64'));
        }
      }
    } catch (error) {
      log.warn('demo.observe_request_failed', errorFields(error));
    }
  }
}

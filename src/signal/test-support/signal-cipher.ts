/**
 * Test support: a whole Signal device's cipher over one vault store set — the simulated contacts and
 * phones of the tests (src/signal/test-support/party.ts, the demo-network and mock-server interop tests).
 * The app itself decrypts and encrypts through src/messaging/signal-adapter.ts; both use the same libsignal
 * protocol steps from ../cipher.ts. This class adds what a simulated peer needs on top: one serial queue
 * per store set, plaintext / sender-key / server-receipt envelopes, and PNI-addressed envelopes.
 *
 * Failures are typed: malformed protobufs → ProtocolError; anything libsignal rejects → a
 * DecryptionError (an EnvelopeDecryptionError naming the sender when known); a message libsignal has
 * already decrypted → `{ kind: 'duplicate' }`.
 */
import type { PreKeyBundle } from '@signalapp/libsignal-client';
import { SerialQueue } from '../../async/serial-queue.js';
import {
  CiphertextMessageType,
  ContentHint,
  ErrorCode,
  groupDecrypt,
  PlaintextContent,
  ProtocolAddress,
  PublicKey,
  SenderCertificate,
  ServiceId,
  sealedSenderDecryptToUsmc,
} from '@signalapp/libsignal-client';
import {
  DecryptionError,
  ProtocolError,
  UntrustedIdentityError,
  ValidationError,
  VaultLockedError,
} from '../../errors.js';
import { errorFields, log } from '../../log.js';
import { fromBase64, ownBytes, toBase64 } from '../bytes.js';
import {
  decryptSessionMessage,
  encryptPadded,
  preKeyBundlesFromJson,
  processPreKeyBundles,
  type PreKeyBundleJson,
} from '../cipher.js';
import { isLibSignalError } from '../libsignal-errors.js';
import {
  decodeContent,
  decodeEnvelope,
  encodeContent,
  EnvelopeType,
  padContent,
  unpadContent,
} from '../proto/signal-service.js';
import type { Content, Envelope } from '../proto/signal-service.js';
import type {
  IdentityKind,
  IdentityStores,
  SaveIdentityResult,
  SignalProtocolStores,
} from '../stores/index.js';

/** One entry of the `messages` array of `PUT /v1/messages/{serviceId}`. */
export interface OutgoingMessage {
  readonly type: EnvelopeType;
  readonly destinationDeviceId: number;
  readonly destinationRegistrationId: number;
  /** base64 */
  readonly content: string;
}

export interface SenderAddress {
  readonly serviceId: string;
  readonly deviceId: number;
}

export type DecryptResult =
  | {
      readonly kind: 'content';
      readonly content: Content;
      readonly sender: SenderAddress;
      /** Arrived as sealed sender (the server did not know the sender). */
      readonly sealed: boolean;
      readonly envelopeType: EnvelopeType;
      /** Which of our identities it was addressed to. */
      readonly destination: IdentityKind;
    }
  | {
      readonly kind: 'duplicate';
      readonly sender: SenderAddress | null;
      readonly envelopeType: EnvelopeType;
    }
  | {
      /** The server's delivery receipt (no content, nothing to decrypt). */
      readonly kind: 'server-receipt';
      readonly sender: SenderAddress | null;
      readonly timestamp: number | undefined;
    };

/** A DecryptionError that says, when known, who sent the undecryptable envelope (for a failure event). */
export class EnvelopeDecryptionError extends DecryptionError {
  constructor(
    message: string,
    readonly sender: SenderAddress | null,
    readonly envelopeType: EnvelopeType | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface SignalCipherOptions {
  /** Our device id (1 for a primary). */
  readonly deviceId: number;
  /** Sealed-sender trust roots (from the configuration; the server's certificate must chain to one). */
  readonly trustRoots: readonly PublicKey[];
  readonly now?: () => number;
}

/** Parse the base64 trust roots of a configuration. */
export function parseTrustRoots(base64Keys: readonly string[]): PublicKey[] {
  if (base64Keys.length === 0)
    throw new ValidationError('At least one sealed-sender trust root is required.');
  try {
    return base64Keys.map((key) => PublicKey.deserialize(fromBase64(key)));
  } catch (error) {
    throw new ValidationError('Invalid sealed-sender trust root.', { cause: error });
  }
}

/** Canonical service id string (lower-case ACI uuid, or `PNI:` + uuid); ValidationError if not one. */
export function normalizeServiceId(serviceId: string): string {
  try {
    return ServiceId.parseFromServiceIdString(serviceId).getServiceIdString();
  } catch (error) {
    throw new ValidationError('Not a Signal service id.', { cause: error });
  }
}

function serviceIdFrom(binary: Uint8Array | undefined, text: string | undefined): string | undefined {
  if (binary && binary.byteLength > 0)
    return ServiceId.parseFromServiceIdBinary(ownBytes(binary)).getServiceIdString();
  if (text) return ServiceId.parseFromServiceIdString(text).getServiceIdString();
  return undefined;
}

function isDuplicate(error: unknown): boolean {
  return isLibSignalError(error, ErrorCode.DuplicatedMessage);
}

export class SignalCipher {
  private readonly now: () => number;
  /** libsignal operations on one store set must not interleave (a ratchet step is read-modify-write). */
  private readonly queue = new SerialQueue();

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.queue.run(fn);
  }

  constructor(
    private readonly stores: SignalProtocolStores,
    private readonly options: SignalCipherOptions,
  ) {
    if (options.trustRoots.length === 0)
      throw new ValidationError('At least one sealed-sender trust root is required.');
    this.now = options.now ?? Date.now;
  }

  private localAddress(stores: IdentityStores): ProtocolAddress {
    return ProtocolAddress.new(stores.identity.localServiceId(), this.options.deviceId);
  }

  hasSession(serviceId: string, deviceId: number): boolean {
    return this.stores.aci.sessions.hasOpenSession(normalizeServiceId(serviceId), deviceId);
  }

  /**
   * Start sessions from a prekey bundle response. The identity key is saved first, so a changed key is
   * detected (and recorded) here; if it belonged to a verified contact, UntrustedIdentityError is thrown
   * until the user approves the new key (`stores.aci.identity.approveIdentity`).
   */
  processPreKeyBundle(
    serviceId: string,
    bundle: PreKeyBundleJson,
  ): Promise<{ identity: SaveIdentityResult; deviceIds: number[] }> {
    return this.exclusive(() => this.processPreKeyBundleNow(serviceId, bundle));
  }

  private async processPreKeyBundleNow(
    serviceId: string,
    bundle: PreKeyBundleJson,
  ): Promise<{ identity: SaveIdentityResult; deviceIds: number[] }> {
    const name = normalizeServiceId(serviceId);
    const stores = this.stores.aci;
    let identityKey: PublicKey;
    let parsed: PreKeyBundle[];
    try {
      parsed = preKeyBundlesFromJson(bundle);
      identityKey = PublicKey.deserialize(fromBase64(bundle.identityKey));
    } catch (error) {
      throw new ProtocolError('Malformed prekey bundle.', { cause: error });
    }
    const identity = stores.identity.saveRemoteIdentity(name, identityKey);
    if (stores.identity.getRemoteIdentity(name)?.needsApproval) throw new UntrustedIdentityError(name);
    const deviceIds = await processPreKeyBundles(
      parsed,
      name,
      this.localAddress(stores),
      stores,
      (error, untrusted) =>
        untrusted
          ? new UntrustedIdentityError(name)
          : // Bad signature on a signed or Kyber prekey, etc.
            new ProtocolError('The prekey bundle was rejected.', { cause: error }),
    );
    return { identity, deviceIds };
  }

  /**
   * Encrypt `content` for one device we have a session with. With `senderCertificate` (our serialized
   * certificate from `GET /v1/certificate/delivery`) the result is sealed sender.
   */
  encrypt(
    serviceId: string,
    deviceId: number,
    content: Content,
    options: { senderCertificate?: Uint8Array; contentHint?: ContentHint } = {},
  ): Promise<OutgoingMessage> {
    return this.exclusive(() => this.encryptNow(serviceId, deviceId, content, options));
  }

  private async encryptNow(
    serviceId: string,
    deviceId: number,
    content: Content,
    options: { senderCertificate?: Uint8Array; contentHint?: ContentHint },
  ): Promise<OutgoingMessage> {
    const name = normalizeServiceId(serviceId);
    const stores = this.stores.aci;
    const address = ProtocolAddress.new(name, deviceId);
    if (stores.identity.getRemoteIdentity(name)?.needsApproval) throw new UntrustedIdentityError(name);
    const session = await stores.sessions.getSession(address);
    if (!session?.hasCurrentState())
      throw new ProtocolError('No session with that device: fetch its prekeys first.');
    const padded = padContent(encodeContent(content));
    try {
      const { type, body } = await encryptPadded(
        padded,
        address,
        this.localAddress(stores),
        stores,
        options.senderCertificate
          ? {
              certificate: SenderCertificate.deserialize(ownBytes(options.senderCertificate)),
              contentHint: options.contentHint ?? ContentHint.Default,
            }
          : undefined,
      );
      return {
        type,
        destinationDeviceId: deviceId,
        destinationRegistrationId: session.remoteRegistrationId(),
        content: toBase64(body),
      };
    } catch (error) {
      if (isLibSignalError(error, ErrorCode.UntrustedIdentity)) {
        throw new UntrustedIdentityError(name);
      }
      if (error instanceof VaultLockedError) throw error;
      log.warn('signal.encrypt.failed', errorFields(error));
      throw new ProtocolError('Could not encrypt the message.', { cause: error });
    } finally {
      padded.fill(0);
    }
  }

  /** Decrypt one envelope (bytes from the WebSocket request body, or an already decoded Envelope). */
  decrypt(input: Uint8Array | Envelope): Promise<DecryptResult> {
    return this.exclusive(() => this.decryptNow(input));
  }

  private async decryptNow(input: Uint8Array | Envelope): Promise<DecryptResult> {
    const envelope = input instanceof Uint8Array ? decodeEnvelope(input) : input;
    const type = envelope.type ?? EnvelopeType.UNKNOWN;
    let sender: SenderAddress | null = null;
    try {
      const sourceId = serviceIdFrom(envelope.sourceServiceIdBinary, envelope.sourceServiceId);
      if (sourceId !== undefined && envelope.sourceDevice !== undefined) {
        sender = { serviceId: sourceId, deviceId: envelope.sourceDevice };
      }
    } catch (error) {
      throw new ProtocolError('Malformed envelope source.', { cause: error });
    }
    if (type === EnvelopeType.SERVER_DELIVERY_RECEIPT) {
      return { kind: 'server-receipt', sender, timestamp: envelope.clientTimestamp };
    }
    const stores = this.destinationStores(envelope);
    const body = envelope.content;
    if (!body || body.byteLength === 0) throw new ProtocolError('Envelope without content.');

    let padded: Uint8Array;
    let sealed = false;
    try {
      switch (type) {
        case EnvelopeType.CIPHERTEXT:
        case EnvelopeType.PREKEY_BUNDLE:
        case EnvelopeType.PLAINTEXT_CONTENT: {
          if (!sender) throw new ProtocolError('Envelope without a source.');
          padded = await this.decryptFrom(stores, sender, type, ownBytes(body));
          break;
        }
        case EnvelopeType.UNIDENTIFIED_SENDER: {
          sealed = true;
          const unsealed = await this.unseal(stores, ownBytes(body), envelope.serverTimestamp ?? this.now());
          sender = unsealed.sender;
          padded = unsealed.padded;
          break;
        }
        default:
          throw new ProtocolError('Unsupported envelope type.');
      }
    } catch (error) {
      if (isDuplicate(error)) {
        log.info('signal.decrypt.duplicate', { envelopeType: type });
        return { kind: 'duplicate', sender, envelopeType: type };
      }
      if (error instanceof ProtocolError || error instanceof VaultLockedError) throw error;
      const failure =
        error instanceof DecryptionError
          ? error
          : new EnvelopeDecryptionError('The message could not be decrypted.', sender, type, {
              cause: error,
            });
      const root: unknown = failure.cause ?? error;
      log.warn('signal.decrypt.failed', {
        envelopeType: type,
        sealed,
        // libsignal's codes are numbers (ours are strings); its error's name is the code's name.
        libsignalCode:
          root instanceof Error && typeof (root as { code?: unknown }).code === 'number'
            ? root.name
            : undefined,
        ...errorFields(failure),
      });
      throw failure;
    }
    try {
      const content = decodeContent(unpadContent(padded));
      return { kind: 'content', content, sender, sealed, envelopeType: type, destination: stores.kind };
    } finally {
      padded.fill(0);
    }
  }

  private destinationStores(envelope: Envelope): IdentityStores {
    let destination: string | undefined;
    try {
      destination = serviceIdFrom(envelope.destinationServiceIdBinary, envelope.destinationServiceId);
    } catch (error) {
      throw new ProtocolError('Malformed envelope destination.', { cause: error });
    }
    if (destination === undefined) return this.stores.aci;
    const stores = this.stores.forLocalServiceId(destination);
    if (!stores) throw new ProtocolError('Envelope addressed to someone else.');
    return stores;
  }

  private async decryptFrom(
    stores: IdentityStores,
    sender: SenderAddress,
    type: EnvelopeType,
    body: Uint8Array<ArrayBuffer>,
  ): Promise<Uint8Array> {
    const address = ProtocolAddress.new(sender.serviceId, sender.deviceId);
    const local = this.localAddress(stores);
    switch (type) {
      case EnvelopeType.CIPHERTEXT:
      case EnvelopeType.PREKEY_BUNDLE:
        return decryptSessionMessage(stores, type, body, address, local);
      case EnvelopeType.PLAINTEXT_CONTENT:
        // Only decryption-error (retry) requests travel unencrypted; the Content check happens later.
        return PlaintextContent.deserialize(body).body();
      default:
        throw new ProtocolError('Unsupported envelope type.');
    }
  }

  private async unseal(
    stores: IdentityStores,
    body: Uint8Array<ArrayBuffer>,
    timestamp: number,
  ): Promise<{ sender: SenderAddress; padded: Uint8Array }> {
    if (stores.kind !== 'aci') throw new ProtocolError('Sealed sender addressed to a PNI.');
    const usmc = await sealedSenderDecryptToUsmc(body, stores.identity);
    const certificate = usmc.senderCertificate();
    if (!certificate.validateWithTrustRoots([...this.options.trustRoots], timestamp)) {
      throw new EnvelopeDecryptionError(
        'The sender certificate is not valid.',
        null,
        EnvelopeType.UNIDENTIFIED_SENDER,
      );
    }
    const senderAci = certificate.senderAci();
    if (!senderAci)
      throw new EnvelopeDecryptionError(
        'The sender certificate has no ACI.',
        null,
        EnvelopeType.UNIDENTIFIED_SENDER,
      );
    const sender: SenderAddress = {
      serviceId: senderAci.getServiceIdString(),
      deviceId: certificate.senderDeviceId(),
    };
    if (sender.serviceId === stores.identity.localServiceId() && sender.deviceId === this.options.deviceId) {
      throw new EnvelopeDecryptionError(
        'Sealed sender message from ourselves.',
        sender,
        EnvelopeType.UNIDENTIFIED_SENDER,
      );
    }
    const contents = usmc.contents();
    try {
      switch (usmc.msgType() as CiphertextMessageType) {
        case CiphertextMessageType.Whisper:
          return {
            sender,
            padded: await this.decryptFrom(stores, sender, EnvelopeType.CIPHERTEXT, contents),
          };
        case CiphertextMessageType.PreKey:
          return {
            sender,
            padded: await this.decryptFrom(stores, sender, EnvelopeType.PREKEY_BUNDLE, contents),
          };
        case CiphertextMessageType.Plaintext:
          return {
            sender,
            padded: await this.decryptFrom(stores, sender, EnvelopeType.PLAINTEXT_CONTENT, contents),
          };
        case CiphertextMessageType.SenderKey:
          return {
            sender,
            padded: await groupDecrypt(
              ProtocolAddress.new(sender.serviceId, sender.deviceId),
              this.stores.senderKeys,
              contents,
            ),
          };
        default:
          throw new ProtocolError('Unsupported sealed message type.');
      }
    } catch (error) {
      // Attach the (now known) sender to failures so the messaging layer can record who it was.
      if (isDuplicate(error) || error instanceof ProtocolError || error instanceof VaultLockedError)
        throw error;
      if (error instanceof EnvelopeDecryptionError) throw error;
      throw new EnvelopeDecryptionError(
        'The message could not be decrypted.',
        sender,
        EnvelopeType.UNIDENTIFIED_SENDER,
        {
          cause: error,
        },
      );
    }
  }
}

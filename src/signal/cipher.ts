/**
 * Encrypt a Content for one recipient device and decrypt incoming Envelopes, with libsignal over the
 * vault stores. Sealed sender is used when the caller passes our sender certificate (it does so only
 * when it also has the recipient's unidentified-access key for the send request).
 *
 * Failures are typed: malformed protobufs → ProtocolError; anything libsignal rejects → a
 * DecryptionError (logged by name/code only, never content); a message libsignal has already
 * decrypted → `{ kind: 'duplicate' }`, which is not a failure (the messaging layer acks and drops it).
 */
import type {
  IdentityKeyStore,
  KyberPreKeyStore,
  PreKeyStore,
  SessionStore,
  SignedPreKeyStore,
} from '@signalapp/libsignal-client';
import {
  CiphertextMessageType,
  ContentHint,
  ErrorCode,
  groupDecrypt,
  LibSignalErrorBase,
  PlaintextContent,
  PreKeyBundle,
  PreKeySignalMessage,
  ProtocolAddress,
  PublicKey,
  KEMPublicKey,
  SenderCertificate,
  ServiceId,
  SignalMessage,
  UnidentifiedSenderMessageContent,
  processPreKeyBundle,
  sealedSenderDecryptMessage,
  sealedSenderDecryptToUsmc,
  sealedSenderEncrypt,
  signalDecrypt,
  signalDecryptPreKey,
  signalEncrypt,
} from '@signalapp/libsignal-client';
import {
  DecryptionError,
  ProtocolError,
  UntrustedIdentityError,
  ValidationError,
  VaultLockedError,
} from '../errors.js';
import { errorFields, log } from '../log.js';
import { fromBase64, ownBytes, toBase64 } from './bytes.js';
import {
  decodeContent,
  decodeEnvelope,
  encodeContent,
  EnvelopeType,
  padContent,
  unpadContent,
} from './proto/signal-service.js';
import type { Content, Envelope } from './proto/signal-service.js';
import type { IdentityKind, IdentityStores, SaveIdentityResult, SignalProtocolStores } from './stores.js';

/** One device entry of `GET /v2/keys/{serviceId}/{deviceId|*}`. */
export interface PreKeyBundleDeviceJson {
  readonly deviceId: number;
  readonly registrationId: number;
  readonly signedPreKey: { readonly keyId: number; readonly publicKey: string; readonly signature: string };
  readonly pqPreKey: { readonly keyId: number; readonly publicKey: string; readonly signature: string };
  readonly preKey?: { readonly keyId: number; readonly publicKey: string } | null;
}

/** Body of `GET /v2/keys/{serviceId}/{deviceId|*}`. */
export interface PreKeyBundleJson {
  readonly identityKey: string;
  readonly devices: readonly PreKeyBundleDeviceJson[];
}

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

/** The libsignal stores one operation uses (the vault's, or a StagedStores view of them). */
export interface ProtocolStoreSet {
  readonly sessions: SessionStore;
  readonly identity: IdentityKeyStore;
  readonly preKeys: PreKeyStore;
  readonly signedPreKeys: SignedPreKeyStore;
  readonly kyberPreKeys: KyberPreKeyStore;
}

/** Parse a prekey bundle response (libsignal's errors are thrown as they are). */
export function preKeyBundlesFromJson(bundle: PreKeyBundleJson): PreKeyBundle[] {
  const identityKey = PublicKey.deserialize(fromBase64(bundle.identityKey));
  return bundle.devices.map((d) =>
    PreKeyBundle.new(
      d.registrationId,
      d.deviceId,
      d.preKey ? d.preKey.keyId : null,
      d.preKey ? PublicKey.deserialize(fromBase64(d.preKey.publicKey)) : null,
      d.signedPreKey.keyId,
      PublicKey.deserialize(fromBase64(d.signedPreKey.publicKey)),
      fromBase64(d.signedPreKey.signature),
      identityKey,
      d.pqPreKey.keyId,
      KEMPublicKey.deserialize(fromBase64(d.pqPreKey.publicKey)),
      fromBase64(d.pqPreKey.signature),
    ),
  );
}

/**
 * Start a session with each bundle's device. A rejection is mapped by `rejected` (told whether
 * libsignal refused the identity key); returns the device ids in bundle order.
 */
export async function processPreKeyBundles(
  bundles: readonly PreKeyBundle[],
  serviceId: string,
  local: ProtocolAddress,
  stores: Pick<ProtocolStoreSet, 'sessions' | 'identity'>,
  rejected: (error: unknown, untrustedIdentity: boolean) => Error,
): Promise<number[]> {
  const deviceIds: number[] = [];
  for (const bundle of bundles) {
    try {
      await processPreKeyBundle(
        bundle,
        ProtocolAddress.new(serviceId, bundle.deviceId()),
        local,
        stores.sessions,
        stores.identity,
      );
    } catch (error) {
      throw rejected(error, LibSignalErrorBase.is(error, ErrorCode.UntrustedIdentity));
    }
    deviceIds.push(bundle.deviceId());
  }
  return deviceIds;
}

/** Decrypt a 1:1 message (whisper or prekey) with the given stores (the vault's or staged ones). */
export function decryptSessionMessage(
  stores: ProtocolStoreSet,
  type: EnvelopeType.CIPHERTEXT | EnvelopeType.PREKEY_BUNDLE,
  body: Uint8Array<ArrayBuffer>,
  address: ProtocolAddress,
  local: ProtocolAddress,
): Promise<Uint8Array> {
  if (type === EnvelopeType.CIPHERTEXT) {
    return signalDecrypt(SignalMessage.deserialize(body), address, local, stores.sessions, stores.identity);
  }
  return signalDecryptPreKey(
    PreKeySignalMessage.deserialize(body),
    address,
    local,
    stores.sessions,
    stores.identity,
    stores.preKeys,
    stores.signedPreKeys,
    stores.kyberPreKeys,
  );
}

/**
 * Encrypt padded Content for one device with an existing session; sealed sender when a sender
 * certificate is given. Returns the envelope type and the serialized body.
 */
export async function encryptPadded(
  padded: Uint8Array<ArrayBuffer>,
  address: ProtocolAddress,
  local: ProtocolAddress,
  stores: Pick<ProtocolStoreSet, 'sessions' | 'identity'>,
  sealed?: { readonly certificate: SenderCertificate; readonly contentHint: ContentHint },
): Promise<{ type: EnvelopeType; body: Uint8Array }> {
  const ciphertext = await signalEncrypt(padded, address, local, stores.sessions, stores.identity);
  if (sealed) {
    const usmc = UnidentifiedSenderMessageContent.new(
      ciphertext,
      sealed.certificate,
      sealed.contentHint,
      null,
    );
    return {
      type: EnvelopeType.UNIDENTIFIED_SENDER,
      body: await sealedSenderEncrypt(usmc, address, stores.identity),
    };
  }
  return {
    type:
      (ciphertext.type() as CiphertextMessageType) === CiphertextMessageType.PreKey
        ? EnvelopeType.PREKEY_BUNDLE
        : EnvelopeType.CIPHERTEXT,
    body: ciphertext.serialize(),
  };
}

function toDecryptionError(error: unknown, what: string): never {
  if (error instanceof DecryptionError || error instanceof ProtocolError) throw error;
  throw new DecryptionError(`Could not decrypt ${what}.`, { cause: error });
}

/** What `decryptEnvelopeWith` yields; failures are thrown as DecryptionError / ProtocolError. */
export type EnvelopeDecryptResult =
  | {
      readonly kind: 'content';
      readonly content: Content;
      readonly sourceServiceId: string;
      readonly sourceDevice: number;
      readonly sealed: boolean;
    }
  | { readonly kind: 'duplicate'; readonly sourceServiceId?: string };

/**
 * The receive hot path's decrypt: one envelope with the given stores — the vault's (each write its
 * own autocommit) or a StagedStores view (./staged-stores.ts) whose writes the caller commits with
 * the message. `source` is the envelope's unsealed source ('' / 0 when absent). A duplicate (or a
 * sealed message from this very device) is `{ kind: 'duplicate' }`; no Error is allocated on the
 * success path of a sealed envelope.
 */
export async function decryptEnvelopeWith(
  envelope: Envelope,
  source: { readonly serviceId: string; readonly deviceId: number },
  stores: ProtocolStoreSet,
  local: { readonly serviceId: string; readonly deviceId: number },
  trustRoots: readonly PublicKey[],
): Promise<EnvelopeDecryptResult> {
  const body = envelope.content;
  if (!body || body.length === 0) throw new DecryptionError('Envelope without content.');
  const ciphertext = new Uint8Array(body);
  const localAddress = ProtocolAddress.new(local.serviceId, local.deviceId);
  let plaintext: Uint8Array;
  let sourceServiceId: string;
  let sourceDevice: number;
  let sealed = false;
  try {
    if (envelope.type === EnvelopeType.UNIDENTIFIED_SENDER) {
      sealed = true;
      const result = await sealedDecrypt(ciphertext, envelope, stores, local, trustRoots);
      plaintext = result.message();
      sourceServiceId = result.senderUuid();
      sourceDevice = result.deviceId();
    } else {
      sourceServiceId = source.serviceId;
      sourceDevice = source.deviceId;
      if (!sourceServiceId || !sourceDevice) throw new DecryptionError('Envelope without a source.');
      const address = ProtocolAddress.new(sourceServiceId, sourceDevice);
      if (envelope.type === EnvelopeType.CIPHERTEXT || envelope.type === EnvelopeType.PREKEY_BUNDLE) {
        plaintext = await decryptSessionMessage(stores, envelope.type, ciphertext, address, localAddress);
      } else {
        throw new DecryptionError('Unsupported envelope type.');
      }
    }
  } catch (error) {
    if (LibSignalErrorBase.is(error, ErrorCode.DuplicatedMessage)) {
      return { kind: 'duplicate' };
    }
    if (LibSignalErrorBase.is(error, ErrorCode.SealedSenderSelfSend)) {
      return { kind: 'duplicate' };
    }
    toDecryptionError(error, 'envelope');
  }
  const content = decodeContent(unpadContent(plaintext));
  return { kind: 'content', content, sourceServiceId, sourceDevice, sealed };
}

async function sealedDecrypt(
  ciphertext: Uint8Array<ArrayBuffer>,
  envelope: Envelope,
  stores: ProtocolStoreSet,
  local: { readonly serviceId: string; readonly deviceId: number },
  trustRoots: readonly PublicKey[],
): ReturnType<typeof sealedSenderDecryptMessage> {
  let lastError: unknown; // created lazily: an Error per envelope (stack capture) costs ~0.05 ms
  for (const trustRoot of trustRoots) {
    try {
      return await sealedSenderDecryptMessage(
        ciphertext,
        trustRoot,
        envelope.serverTimestamp ?? Date.now(),
        null,
        local.serviceId,
        local.deviceId,
        stores.sessions,
        stores.identity,
        stores.preKeys,
        stores.signedPreKeys,
        stores.kyberPreKeys,
      );
    } catch (error) {
      lastError = error;
      // libsignal validates the sender certificate before touching any session state, so another
      // configured root may be tried; a duplicate is final.
      if (LibSignalErrorBase.is(error, ErrorCode.DuplicatedMessage)) throw error;
    }
  }
  if (lastError instanceof Error) throw lastError;
  throw new DecryptionError('No sealed-sender trust root accepted the sender certificate.', {
    cause: lastError,
  });
}

function isDuplicate(error: unknown): boolean {
  return error instanceof LibSignalErrorBase && error.code === ErrorCode.DuplicatedMessage;
}

export class SignalCipher {
  private readonly now: () => number;
  /** libsignal operations on one store set must not interleave (a ratchet step is read-modify-write). */
  private tail: Promise<unknown> = Promise.resolve();

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
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
      if (error instanceof LibSignalErrorBase && error.code === ErrorCode.UntrustedIdentity) {
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
        libsignalCode: root instanceof LibSignalErrorBase ? ErrorCode[root.code] : undefined,
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

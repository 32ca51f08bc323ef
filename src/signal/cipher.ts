/**
 * The libsignal protocol steps, once: prekey bundle parsing and processing, 1:1 decrypt, encrypt (sealed
 * sender when the caller passes our sender certificate) and the receive hot path's envelope decrypt
 * (sealed sender with 1:1 or group sender-key contents, and sender-key distribution messages), over
 * the vault's stores or a StagedStores view of them. The app reaches them through
 * src/messaging/signal-adapter.ts; the tests' simulated peers through ./test-support/signal-cipher.ts.
 *
 * Failures are typed: malformed protobufs → ProtocolError; anything libsignal rejects → a
 * DecryptionError (never content in it); a message libsignal has already decrypted →
 * `{ kind: 'duplicate' }`, which is not a failure (the messaging layer acks and drops it).
 */
import type {
  IdentityKeyStore,
  KyberPreKeyStore,
  PreKeyStore,
  SenderKeyStore,
  SessionStore,
  SignedPreKeyStore,
} from '@signalapp/libsignal-client';
import {
  CiphertextMessageType,
  type ContentHint,
  ErrorCode,
  KEMPublicKey,
  PreKeyBundle,
  PreKeySignalMessage,
  ProtocolAddress,
  PublicKey,
  type SenderCertificate,
  SenderKeyDistributionMessage,
  SignalMessage,
  UnidentifiedSenderMessageContent,
  groupDecrypt,
  groupEncrypt,
  processPreKeyBundle,
  processSenderKeyDistributionMessage,
  sealedSenderDecryptToUsmc,
  sealedSenderEncrypt,
  sealedSenderMultiRecipientEncrypt,
  signalDecrypt,
  signalDecryptPreKey,
  signalEncrypt,
} from '@signalapp/libsignal-client';
import { DecryptionError, ProtocolError } from '../errors.js';
import { fromBase64 } from './bytes.js';
import { errorFields, log } from '../log.js';
import { isLibSignalError } from './libsignal-errors.js';
import type { SenderCertificateCheck } from './sender-certificates.js';
import { decodeContent, EnvelopeType, unpadContent } from './proto/signal-service.js';
import type { Content, Envelope } from './proto/signal-service.js';

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

/** The libsignal stores one operation uses (the vault's, or a StagedStores view of them). */
export interface ProtocolStoreSet {
  readonly sessions: SessionStore;
  readonly identity: IdentityKeyStore;
  readonly preKeys: PreKeyStore;
  readonly signedPreKeys: SignedPreKeyStore;
  readonly kyberPreKeys: KyberPreKeyStore;
  /** Group sender keys (distribution messages in, sender-key messages decrypted); without it both fail. */
  readonly senderKeys?: SenderKeyStore | undefined;
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
      throw rejected(error, isLibSignalError(error, ErrorCode.UntrustedIdentity));
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

/** Our sender key for a group distribution, as the distribution message members process (made if new). */
export async function senderKeyDistribution(
  local: ProtocolAddress,
  distributionId: string,
  senderKeys: SenderKeyStore,
): Promise<Uint8Array> {
  return (await SenderKeyDistributionMessage.create(local, distributionId, senderKeys)).serialize();
}

/**
 * A group message: padded Content encrypted once under our sender key, sealed (sender certificate, content
 * hint, group id) and wrapped for every recipient device in one multi-recipient payload — each device's
 * part is only the sealed-sender key, encrypted with its session's identity key.
 */
export async function groupEncryptSealed(
  padded: Uint8Array<ArrayBuffer>,
  sender: { readonly local: ProtocolAddress; readonly distributionId: string },
  sealed: {
    readonly certificate: SenderCertificate;
    readonly contentHint: ContentHint;
    readonly groupId: Uint8Array;
  },
  recipients: readonly ProtocolAddress[],
  stores: Pick<ProtocolStoreSet, 'sessions' | 'identity'> & { readonly senderKeys: SenderKeyStore },
): Promise<Uint8Array> {
  const ciphertext = await groupEncrypt(sender.local, sender.distributionId, stores.senderKeys, padded);
  const usmc = UnidentifiedSenderMessageContent.new(
    ciphertext,
    sealed.certificate,
    sealed.contentHint,
    new Uint8Array(sealed.groupId),
  );
  return sealedSenderMultiRecipientEncrypt({
    content: usmc,
    recipients: [...recipients],
    identityStore: stores.identity,
    sessionStore: stores.sessions,
  });
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
  certificates: SenderCertificateCheck,
  /** The sealed-sender layer already being opened (./unseal-worker.ts); opened here when absent. */
  unsealed?: Promise<UnidentifiedSenderMessageContent>,
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
      const result = await sealedDecrypt(
        unsealed ?? sealedSenderDecryptToUsmc(ciphertext, stores.identity),
        envelope,
        stores,
        localAddress,
        certificates,
      );
      if (result === 'self') return { kind: 'duplicate' };
      ({ plaintext, sourceServiceId, sourceDevice } = result);
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
    if (isLibSignalError(error, ErrorCode.DuplicatedMessage)) {
      return { kind: 'duplicate' };
    }
    toDecryptionError(error, 'envelope');
  }
  const content = decodeContent(unpadContent(plaintext));
  if (content.senderKeyDistributionMessage) {
    await processDistribution(content.senderKeyDistributionMessage, sourceServiceId, sourceDevice, stores);
  }
  return { kind: 'content', content, sourceServiceId, sourceDevice, sealed };
}

/**
 * A contact's sender key for a group (its distribution message), kept for decrypting their group
 * messages. One that libsignal refuses is logged and dropped: the rest of the content still counts.
 */
async function processDistribution(
  bytes: Uint8Array,
  serviceId: string,
  deviceId: number,
  stores: ProtocolStoreSet,
): Promise<void> {
  if (!stores.senderKeys) return;
  try {
    const message = SenderKeyDistributionMessage.deserialize(new Uint8Array(bytes));
    await processSenderKeyDistributionMessage(
      ProtocolAddress.new(serviceId, deviceId),
      message,
      stores.senderKeys,
    );
  } catch (error) {
    log.warn('signal.sender_key_distribution_refused', errorFields(error));
  }
}

/**
 * Sealed sender, opened in two steps (libsignal's own order): the outer layer with our identity key
 * (`unsealed`: on this thread, or already under way on the unseal worker), the sender certificate
 * checked against the trust roots at the server's timestamp (its signatures once per distinct
 * certificate: ./sender-certificates.ts), then the inner message by its type — a 1:1 session message,
 * or a group message under the sender's sender key. A sealed message from this very device is `'self'`.
 */
async function sealedDecrypt(
  unsealed: Promise<UnidentifiedSenderMessageContent>,
  envelope: Envelope,
  stores: ProtocolStoreSet,
  local: ProtocolAddress,
  certificates: SenderCertificateCheck,
): Promise<{ plaintext: Uint8Array; sourceServiceId: string; sourceDevice: number } | 'self'> {
  const usmc = await unsealed;
  const certificate = usmc.senderCertificate();
  const time = envelope.serverTimestamp ?? Date.now();
  if (!certificates.accepts(certificate, time)) {
    throw new DecryptionError('No sealed-sender trust root accepted the sender certificate.');
  }
  const sourceServiceId = certificate.senderUuid();
  const sourceDevice = certificate.senderDeviceId();
  if (sourceServiceId === local.name() && sourceDevice === local.deviceId()) return 'self';
  const address = ProtocolAddress.new(sourceServiceId, sourceDevice);
  const contents = usmc.contents();
  let plaintext: Uint8Array;
  switch (usmc.msgType() as CiphertextMessageType) {
    case CiphertextMessageType.Whisper:
      plaintext = await decryptSessionMessage(stores, EnvelopeType.CIPHERTEXT, contents, address, local);
      break;
    case CiphertextMessageType.PreKey:
      plaintext = await decryptSessionMessage(stores, EnvelopeType.PREKEY_BUNDLE, contents, address, local);
      break;
    case CiphertextMessageType.SenderKey:
      if (!stores.senderKeys) throw new DecryptionError('Group messages are not received here.');
      plaintext = await groupDecrypt(address, stores.senderKeys, contents);
      break;
    default:
      throw new DecryptionError('Unsupported sealed message type.');
  }
  return { plaintext, sourceServiceId, sourceDevice };
}

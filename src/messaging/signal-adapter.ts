/**
 * The messaging pipeline's crypto seam, implemented with libsignal over the vault-backed protocol
 * stores of src/signal/stores.ts. The stores read and write the same SQLCipher connection the message
 * store uses and keep no cache, so a ratchet step taken while decrypting is committed — or rolled
 * back — together with the message it produced (see receiver.ts).
 *
 * libsignal is used for cryptography only; nothing here touches the network.
 */
import type {
  IdentityKeyStore,
  KyberPreKeyStore,
  PreKeyStore,
  SenderCertificate,
  SessionStore,
  SignedPreKeyStore,
} from '@signalapp/libsignal-client';
import {
  ErrorCode,
  KEMPublicKey,
  LibSignalErrorBase,
  PreKeyBundle,
  PreKeySignalMessage,
  ProtocolAddress,
  PublicKey,
  SignalMessage,
  CiphertextMessageType,
  sealedSenderDecryptMessage,
  sealedSenderEncryptMessage,
  signalDecrypt,
  signalDecryptPreKey,
  signalEncrypt,
  processPreKeyBundle,
} from '@signalapp/libsignal-client';
import { DecryptionError, ProtocolError, UntrustedIdentityError } from '../errors.js';
import { log } from '../log.js';
import type { IdentityStores, SignalProtocolStores } from '../signal/stores.js';
import {
  EnvelopeType,
  decodeContent,
  padContent,
  unpadContent,
  type Envelope,
} from '../signal/proto/signal-service.js';
import type { DecryptedEnvelope, EnvelopeDecryptor } from './receiver.js';
import { serviceIdFromBinary } from './receiver.js';
import { StagedStores } from './staged-stores.js';

/** The libsignal stores one decrypt uses (the vault's, or a StagedStores view of them). */
interface ProtocolStoreSet {
  readonly sessions: SessionStore;
  readonly identity: IdentityKeyStore;
  readonly preKeys: PreKeyStore;
  readonly signedPreKeys: SignedPreKeyStore;
  readonly kyberPreKeys: KyberPreKeyStore;
}

/** One device's keys as GET /v2/keys/{serviceId}/{deviceId|*} returns them. */
export interface DeviceKeysJson {
  readonly deviceId: number;
  readonly registrationId: number;
  readonly signedPreKey: { keyId: number; publicKey: string; signature: string };
  readonly pqPreKey: { keyId: number; publicKey: string; signature: string };
  readonly preKey?: { keyId: number; publicKey: string } | null;
}
export interface PreKeyResponseJson {
  readonly identityKey: string;
  readonly devices: readonly DeviceKeysJson[];
}

export interface EncryptedForDevice {
  /** Envelope type for the PUT /v1/messages body. */
  readonly type: EnvelopeType;
  readonly destinationDeviceId: number;
  readonly destinationRegistrationId: number;
  readonly content: Uint8Array;
}

/** What the sender needs from the crypto layer. */
export interface MessageEncryptor {
  deviceIds(serviceId: string): number[];
  processPreKeys(serviceId: string, keys: PreKeyResponseJson): Promise<void>;
  deleteSession(serviceId: string, deviceId: number): void;
  /** Encrypt a serialized Content (padding added here) for one device; sealed when a certificate is given. */
  encrypt(
    serviceId: string,
    deviceId: number,
    content: Uint8Array,
    senderCertificate?: SenderCertificate,
  ): Promise<EncryptedForDevice>;
  /** A previously verified identity changed and the user has not confirmed it yet. */
  needsApproval(serviceId: string): boolean;
  approve(serviceId: string): void;
}

const b64 = (value: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(value, 'base64'));

function toDecryptionError(error: unknown, what: string): never {
  if (error instanceof DecryptionError || error instanceof ProtocolError) throw error;
  throw new DecryptionError(`Could not decrypt ${what}.`, { cause: error });
}

export class SignalAdapter implements EnvelopeDecryptor, MessageEncryptor {
  private readonly trustRoots: PublicKey[];

  constructor(
    private readonly stores: SignalProtocolStores,
    private readonly local: { readonly aci: string; readonly pni?: string; readonly deviceId: number },
    unidentifiedDeliveryTrustRoots: readonly string[],
  ) {
    this.trustRoots = unidentifiedDeliveryTrustRoots.map((root) => PublicKey.deserialize(b64(root)));
    stores.aci.identity.onIdentityChange(() => {
      this.identityDirty = true;
    });
  }

  private identityDirty = true;

  private ours(envelope: Envelope): { stores: IdentityStores; localServiceId: string } {
    const destination =
      envelope.destinationServiceId ?? serviceIdFromBinary(envelope.destinationServiceIdBinary);
    if (destination && this.local.pni && destination === this.local.pni) {
      return { stores: this.stores.pni, localServiceId: this.local.pni };
    }
    return { stores: this.stores.aci, localServiceId: this.local.aci };
  }

  // ---- EnvelopeDecryptor ------------------------------------------------------------------------

  /** Decrypt with direct store writes (each its own autocommit). The receiver uses decryptStaged. */
  async decrypt(envelope: Envelope): Promise<DecryptedEnvelope> {
    const { stores, localServiceId } = this.ours(envelope);
    return this.decryptWith(envelope, stores, localServiceId);
  }

  /**
   * Decrypt without writing to the vault: libsignal's store writes are staged in memory, and
   * `commit()` applies them synchronously (call it inside the transaction that stores the result).
   * On error nothing was written, so there is nothing to roll back.
   */
  async decryptStaged(envelope: Envelope): Promise<{ result: DecryptedEnvelope; commit(): void }> {
    const { stores, localServiceId } = this.ours(envelope);
    const staged = new StagedStores(stores);
    const result = await this.decryptWith(envelope, staged, localServiceId);
    return { result, commit: () => staged.commit() };
  }

  private async decryptWith(
    envelope: Envelope,
    stores: ProtocolStoreSet,
    localServiceId: string,
  ): Promise<DecryptedEnvelope> {
    const body = envelope.content;
    if (!body || body.length === 0) throw new DecryptionError('Envelope without content.');
    const ciphertext = new Uint8Array(body);
    const localAddress = ProtocolAddress.new(localServiceId, this.local.deviceId);
    let plaintext: Uint8Array;
    let sourceServiceId: string;
    let sourceDevice: number;
    let sealed = false;
    try {
      if (envelope.type === EnvelopeType.UNIDENTIFIED_SENDER) {
        sealed = true;
        const result = await this.sealedDecrypt(ciphertext, envelope, stores, localServiceId);
        plaintext = result.message();
        sourceServiceId = result.senderUuid();
        sourceDevice = result.deviceId();
      } else {
        sourceServiceId =
          envelope.sourceServiceId ?? serviceIdFromBinary(envelope.sourceServiceIdBinary) ?? '';
        sourceDevice = envelope.sourceDevice ?? 0;
        if (!sourceServiceId || !sourceDevice) throw new DecryptionError('Envelope without a source.');
        const address = ProtocolAddress.new(sourceServiceId, sourceDevice);
        if (envelope.type === EnvelopeType.CIPHERTEXT) {
          plaintext = await signalDecrypt(
            SignalMessage.deserialize(ciphertext),
            address,
            localAddress,
            stores.sessions,
            stores.identity,
          );
        } else if (envelope.type === EnvelopeType.PREKEY_BUNDLE) {
          plaintext = await signalDecryptPreKey(
            PreKeySignalMessage.deserialize(ciphertext),
            address,
            localAddress,
            stores.sessions,
            stores.identity,
            stores.preKeys,
            stores.signedPreKeys,
            stores.kyberPreKeys,
          );
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

  private async sealedDecrypt(
    ciphertext: Uint8Array<ArrayBuffer>,
    envelope: Envelope,
    stores: ProtocolStoreSet,
    localServiceId: string,
  ): ReturnType<typeof sealedSenderDecryptMessage> {
    let lastError: unknown; // created lazily: an Error per envelope (stack capture) costs ~0.05 ms
    for (const trustRoot of this.trustRoots) {
      try {
        return await sealedSenderDecryptMessage(
          ciphertext,
          trustRoot,
          envelope.serverTimestamp ?? Date.now(),
          null,
          localServiceId,
          this.local.deviceId,
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

  /**
   * Pending change records are looked up only after the identity store reported a change (and once
   * at start, for records left by an earlier run): the common case costs no query per envelope.
   */
  pendingIdentityChanges(): ReadonlyArray<{ id: number; serviceId: string; wasVerified: boolean }> {
    if (!this.identityDirty) return [];
    const pending = this.stores.aci.identity.pendingIdentityChanges();
    if (pending.length === 0) this.identityDirty = false;
    return pending;
  }

  consumeIdentityChanges(ids: readonly number[]): void {
    this.stores.aci.identity.consumeIdentityChanges(ids);
  }

  // ---- MessageEncryptor -------------------------------------------------------------------------

  deviceIds(serviceId: string): number[] {
    return this.stores.aci.sessions.deviceIds(serviceId);
  }

  async processPreKeys(serviceId: string, keys: PreKeyResponseJson): Promise<void> {
    const stores = this.stores.aci;
    const identityKey = PublicKey.deserialize(b64(keys.identityKey));
    const localAddress = ProtocolAddress.new(this.local.aci, this.local.deviceId);
    for (const device of keys.devices) {
      const bundle = PreKeyBundle.new(
        device.registrationId,
        device.deviceId,
        device.preKey ? device.preKey.keyId : null,
        device.preKey ? PublicKey.deserialize(b64(device.preKey.publicKey)) : null,
        device.signedPreKey.keyId,
        PublicKey.deserialize(b64(device.signedPreKey.publicKey)),
        b64(device.signedPreKey.signature),
        identityKey,
        device.pqPreKey.keyId,
        KEMPublicKey.deserialize(b64(device.pqPreKey.publicKey)),
        b64(device.pqPreKey.signature),
      );
      try {
        await processPreKeyBundle(
          bundle,
          ProtocolAddress.new(serviceId, device.deviceId),
          localAddress,
          stores.sessions,
          stores.identity,
        );
      } catch (error) {
        if (LibSignalErrorBase.is(error, ErrorCode.UntrustedIdentity)) throw this.untrusted(serviceId, error);
        throw new ProtocolError('Invalid prekey bundle.', { cause: error });
      }
    }
  }

  deleteSession(serviceId: string, deviceId: number): void {
    this.stores.aci.sessions.deleteSession(serviceId, deviceId);
  }

  async encrypt(
    serviceId: string,
    deviceId: number,
    content: Uint8Array,
    senderCertificate?: SenderCertificate,
  ): Promise<EncryptedForDevice> {
    const stores = this.stores.aci;
    const address = ProtocolAddress.new(serviceId, deviceId);
    const localAddress = ProtocolAddress.new(this.local.aci, this.local.deviceId);
    const padded = padContent(content);
    try {
      const session = await stores.sessions.getSession(address);
      if (!session) throw new ProtocolError('No session with that device.');
      const destinationRegistrationId = session.remoteRegistrationId();
      if (senderCertificate) {
        const sealed = await sealedSenderEncryptMessage(
          padded,
          address,
          senderCertificate,
          stores.sessions,
          stores.identity,
        );
        return {
          type: EnvelopeType.UNIDENTIFIED_SENDER,
          destinationDeviceId: deviceId,
          destinationRegistrationId,
          content: sealed,
        };
      }
      const message = await signalEncrypt(padded, address, localAddress, stores.sessions, stores.identity);
      return {
        type:
          message.type() === Number(CiphertextMessageType.PreKey)
            ? EnvelopeType.PREKEY_BUNDLE
            : EnvelopeType.CIPHERTEXT,
        destinationDeviceId: deviceId,
        destinationRegistrationId,
        content: message.serialize(),
      };
    } catch (error) {
      if (LibSignalErrorBase.is(error, ErrorCode.UntrustedIdentity)) throw this.untrusted(serviceId, error);
      throw error;
    } finally {
      padded.fill(0);
    }
  }

  needsApproval(serviceId: string): boolean {
    return this.stores.aci.identity.getRemoteIdentity(serviceId)?.needsApproval ?? false;
  }

  approve(serviceId: string): void {
    this.stores.aci.identity.approveIdentity(serviceId);
  }

  private untrusted(serviceId: string, cause: unknown): UntrustedIdentityError {
    log.info('messaging.send.untrusted_identity');
    // The conversation id is filled in by the sender, which knows it; the service id is not logged.
    const error = new UntrustedIdentityError(serviceId);
    (error as { cause?: unknown }).cause = cause;
    return error;
  }
}

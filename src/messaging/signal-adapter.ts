/**
 * The messaging pipeline's crypto seam: EnvelopeDecryptor and MessageEncryptor over the protocol code
 * of src/signal/cipher.ts (decrypt with optional staging, encrypt, prekey processing) and the
 * vault-backed protocol stores of src/signal/stores/. The stores read and write the same SQLCipher
 * connection the message store uses and keep no cache, so a ratchet step taken while decrypting is
 * committed — or rolled back — together with the message it produced (see receiver.ts).
 *
 * libsignal is used for cryptography only; nothing here touches the network.
 */
import {
  ErrorCode,
  ProtocolAddress,
  PublicKey,
  ContentHint,
  SessionStore,
  sealedSenderDecryptToUsmc,
  type SenderCertificate,
  type SessionRecord,
  type UnidentifiedSenderMessageContent,
} from '@signalapp/libsignal-client';
import { ProtocolError, UntrustedIdentityError } from '../errors.js';
import { log } from '../log.js';
import {
  decryptEnvelopeWith,
  encryptPadded,
  preKeyBundlesFromJson,
  processPreKeyBundles,
  type PreKeyBundleJson,
  type ProtocolStoreSet,
} from '../signal/cipher.js';
import type { IdentityStores, SignalProtocolStores } from '../signal/stores/index.js';
import { EnvelopeType, padContent, type Envelope } from '../signal/proto/signal-service.js';
import { isLibSignalError } from '../signal/libsignal-errors.js';
import { SenderCertificateCheck } from '../signal/sender-certificates.js';
import { StagedStores } from '../signal/staged-stores.js';
import { SealedSenderUnsealer } from '../signal/unseal-worker.js';
import type { DecryptedEnvelope, EnvelopeDecryptor, StagedDecrypt } from './receiver.js';
import { serviceIdFromBinary } from './receiver.js';

export type PreKeyResponseJson = PreKeyBundleJson;

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

/**
 * The vault's session store for one encrypt, handing libsignal the record the adapter just loaded for the
 * recipient (its registration id goes into the send) instead of reading and deserializing it again.
 */
class LoadedSession extends SessionStore {
  constructor(
    private readonly base: SessionStore,
    private readonly address: ProtocolAddress,
    private loaded: SessionRecord | undefined,
  ) {
    super();
  }
  override saveSession(name: ProtocolAddress, record: SessionRecord): Promise<void> {
    this.loaded = undefined;
    return this.base.saveSession(name, record);
  }
  override getSession(name: ProtocolAddress): Promise<SessionRecord | null> {
    const same = name.name() === this.address.name() && name.deviceId() === this.address.deviceId();
    return same && this.loaded ? Promise.resolve(this.loaded) : this.base.getSession(name);
  }
  override getExistingSessions(addresses: ProtocolAddress[]): Promise<SessionRecord[]> {
    return this.base.getExistingSessions(addresses);
  }
}

class AdapterStaged implements StagedDecrypt {
  constructor(
    readonly result: DecryptedEnvelope,
    private readonly staged: StagedStores,
    readonly heads: ReadonlyMap<IdentityStores, StagedStores>,
  ) {}

  commit(): void {
    this.staged.commit();
  }
}

export class SignalAdapter implements EnvelopeDecryptor, MessageEncryptor {
  private readonly certificates: SenderCertificateCheck;
  /** Started with the first sealed envelope that waits in the receive window (reading the key is async). */
  private unsealer: Promise<SealedSenderUnsealer> | undefined;
  private closed = false;

  constructor(
    private readonly stores: SignalProtocolStores,
    private readonly local: { readonly aci: string; readonly pni?: string; readonly deviceId: number },
    unidentifiedDeliveryTrustRoots: readonly string[],
  ) {
    this.certificates = new SenderCertificateCheck(
      unidentifiedDeliveryTrustRoots.map((root) => PublicKey.deserialize(b64(root))),
    );
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

  /**
   * Decrypt without writing to the vault: libsignal's store writes are staged in memory, and
   * `commit()` applies them synchronously (call it inside the transaction that stores the result).
   * `after` (a staged decrypt of this adapter, not yet committed) makes this one read its writes: a
   * batch chains its decrypts and commits them in order. On error nothing was staged for this envelope.
   */
  async decryptStaged(
    envelope: Envelope,
    after?: StagedDecrypt,
    unsealed?: Promise<UnidentifiedSenderMessageContent>,
  ): Promise<StagedDecrypt> {
    const { stores, localServiceId } = this.ours(envelope);
    // The newest stager of each store set (ACI, PNI) in the chain so far.
    const heads = new Map(after instanceof AdapterStaged ? after.heads : []);
    // Group messages come sealed to our ACI: only its chain carries the account's sender keys.
    const senderKeys = stores === this.stores.aci ? this.stores.senderKeys : undefined;
    const staged = new StagedStores(stores, heads.get(stores), senderKeys);
    const result = await this.decryptWith(envelope, staged, localServiceId, unsealed);
    staged.succeeded();
    heads.set(stores, staged);
    return new AdapterStaged(result, staged, heads);
  }

  private decryptWith(
    envelope: Envelope,
    stores: ProtocolStoreSet,
    localServiceId: string,
    unsealed?: Promise<UnidentifiedSenderMessageContent>,
  ): Promise<DecryptedEnvelope> {
    const source = {
      serviceId: envelope.sourceServiceId ?? serviceIdFromBinary(envelope.sourceServiceIdBinary) ?? '',
      deviceId: envelope.sourceDevice ?? 0,
    };
    const local = { serviceId: localServiceId, deviceId: this.local.deviceId };
    return decryptEnvelopeWith(envelope, source, stores, local, this.certificates, unsealed);
  }

  /**
   * Starts opening a sealed envelope's outer layer on the unseal worker (../signal/unseal-worker.ts), so
   * it is ready when the envelope's turn in its batch comes; undefined for anything else. Sealed sender
   * is addressed to our ACI only, so only the ACI's key goes to the worker.
   */
  prepare(envelope: Envelope): Promise<UnidentifiedSenderMessageContent> | undefined {
    const body = envelope.content;
    if (envelope.type !== EnvelopeType.UNIDENTIFIED_SENDER || !body || body.length === 0) return undefined;
    if (this.ours(envelope).stores !== this.stores.aci || this.closed) return undefined;
    const identity = this.stores.aci.identity;
    const here = (ciphertext: Uint8Array<ArrayBuffer>) => sealedSenderDecryptToUsmc(ciphertext, identity);
    this.unsealer ??= identity.getIdentityKeyPair().then((pair) => new SealedSenderUnsealer(pair, here));
    const ciphertext = new Uint8Array(body);
    const opening = this.unsealer.then(
      (unsealer) => unsealer.unseal(ciphertext),
      () => {
        // Our key could not be read (the vault is locking): the next envelope tries again; this one
        // is opened here, where the same error decides what happens to it.
        this.unsealer = undefined;
        return here(ciphertext);
      },
    );
    // Awaited only when the envelope's batch runs; a failure is handled there, not reported now.
    opening.catch(() => undefined);
    return opening;
  }

  /** Ends the unseal worker (it drops the identity key first). */
  async close(): Promise<void> {
    this.closed = true;
    const unsealer = await this.unsealer?.catch(() => undefined);
    await unsealer?.close();
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
    const bundles = preKeyBundlesFromJson(keys);
    await processPreKeyBundles(
      bundles,
      serviceId,
      ProtocolAddress.new(this.local.aci, this.local.deviceId),
      this.stores.aci,
      (error, untrusted) =>
        untrusted
          ? this.untrusted(serviceId, error)
          : new ProtocolError('Invalid prekey bundle.', { cause: error }),
    );
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
      const { type, body } = await encryptPadded(
        padded,
        address,
        senderCertificate
          ? ProtocolAddress.new(senderCertificate.senderUuid(), senderCertificate.senderDeviceId())
          : localAddress,
        { sessions: new LoadedSession(stores.sessions, address, session), identity: stores.identity },
        senderCertificate ? { certificate: senderCertificate, contentHint: ContentHint.Default } : undefined,
      );
      return { type, destinationDeviceId: deviceId, destinationRegistrationId, content: body };
    } catch (error) {
      if (isLibSignalError(error, ErrorCode.UntrustedIdentity)) throw this.untrusted(serviceId, error);
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

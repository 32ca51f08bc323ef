/**
 * libsignal store wrappers that STAGE writes in memory during an async decrypt, so the receive
 * pipeline never holds a SQLite transaction open across an `await`.
 *
 * Why: better-sqlite3 has one connection per vault, and a transaction belongs to the connection, not
 * to the code that opened it. While the receiver awaited libsignal inside `BEGIN … COMMIT`, any other
 * write on the vault (a settings change from the API, an attachment's key row) joined that
 * transaction and was lost when it rolled back (an undecryptable envelope) or when the process died
 * before COMMIT. Now decrypt reads the vault directly (reads are harmless) and writes here; the
 * receiver then applies the staged writes and the message together in one SYNCHRONOUS transaction
 * (`commit()`), during which no other code can run.
 *
 * Reads see the staged writes (a decrypt may read what it just wrote), and those of the stager it
 * follows (`previous`): a batch of decrypts chains them, each seeing the ones before it, and commits them
 * in order in one transaction (src/messaging/receiver.ts). Secrets: staged records are libsignal objects
 * (native memory), dropped with the stager.
 */
import {
  Direction,
  IdentityChange,
  IdentityKeyStore,
  KyberPreKeyStore,
  type IdentityKeyPair,
  PreKeyStore,
  SenderKeyStore,
  SessionStore,
  SignedPreKeyStore,
  type KyberPreKeyRecord,
  type PreKeyRecord,
  type PrivateKey,
  type ProtocolAddress,
  type PublicKey,
  type SenderKeyRecord,
  type SessionRecord,
  type Uuid,
  type SignedPreKeyRecord,
} from '@signalapp/libsignal-client';
import { ProtocolError } from '../errors.js';
import type { IdentityStores } from './stores/index.js';
import type { SqlSenderKeyStore } from './stores/sender-keys.js';

const key = (address: ProtocolAddress): string => `${address.name()}\u0000${address.deviceId()}`;

class StagedSessions extends SessionStore {
  readonly saved = new Map<string, { serviceId: string; deviceId: number; record: SessionRecord }>();
  constructor(private readonly base: Pick<SessionStore, 'getSession'>) {
    super();
  }
  override saveSession(name: ProtocolAddress, record: SessionRecord): Promise<void> {
    this.saved.set(key(name), { serviceId: name.name(), deviceId: name.deviceId(), record });
    return Promise.resolve();
  }
  override getSession(name: ProtocolAddress): Promise<SessionRecord | null> {
    const staged = this.saved.get(key(name));
    return staged ? Promise.resolve(staged.record) : this.base.getSession(name);
  }
  override async getExistingSessions(addresses: ProtocolAddress[]): Promise<SessionRecord[]> {
    const out: SessionRecord[] = [];
    for (const address of addresses) {
      const record = await this.getSession(address);
      if (!record) throw new ProtocolError('No session for one of the recipients.');
      out.push(record);
    }
    return out;
  }
}

type IdentityReads = Pick<
  IdentityKeyStore,
  'getIdentityKey' | 'getIdentityKeyPair' | 'getLocalRegistrationId' | 'isTrustedIdentity' | 'getIdentity'
>;

class StagedIdentity extends IdentityKeyStore {
  readonly saved = new Map<string, PublicKey>();
  constructor(private readonly base: IdentityReads) {
    super();
  }
  override getIdentityKey(): Promise<PrivateKey> {
    return this.base.getIdentityKey();
  }
  /** The stored pair: libsignal's default derives the public key from the private one on every call. */
  override getIdentityKeyPair(): Promise<IdentityKeyPair> {
    return this.base.getIdentityKeyPair();
  }
  override getLocalRegistrationId(): Promise<number> {
    return this.base.getLocalRegistrationId();
  }
  override async saveIdentity(name: ProtocolAddress, publicKey: PublicKey): Promise<IdentityChange> {
    const previous = await this.getIdentity(name);
    // libsignal saves the sender's key on every decrypt; the same key again would write nothing.
    if (previous?.equals(publicKey)) return IdentityChange.NewOrUnchanged;
    this.saved.set(name.name(), publicKey);
    return previous ? IdentityChange.ReplacedExisting : IdentityChange.NewOrUnchanged;
  }
  override isTrustedIdentity(
    name: ProtocolAddress,
    publicKey: PublicKey,
    direction: Direction,
  ): Promise<boolean> {
    // Receiving is always allowed (the base store's rule); sends never go through a stager.
    if (direction === Direction.Receiving) return Promise.resolve(true);
    return this.base.isTrustedIdentity(name, publicKey, direction);
  }
  override getIdentity(name: ProtocolAddress): Promise<PublicKey | null> {
    const staged = this.saved.get(name.name());
    return staged ? Promise.resolve(staged) : this.base.getIdentity(name);
  }
}

class StagedPreKeys extends PreKeyStore {
  readonly removed = new Set<number>();
  constructor(private readonly base: Pick<PreKeyStore, 'getPreKey'>) {
    super();
  }
  override savePreKey(): Promise<void> {
    return Promise.reject(new ProtocolError('Prekeys are not generated while decrypting.'));
  }
  override getPreKey(id: number): Promise<PreKeyRecord> {
    if (this.removed.has(id)) return Promise.reject(new ProtocolError('No prekey with that id.'));
    return this.base.getPreKey(id);
  }
  override removePreKey(id: number): Promise<void> {
    this.removed.add(id);
    return Promise.resolve();
  }
}

class StagedSignedPreKeys extends SignedPreKeyStore {
  constructor(private readonly base: Pick<SignedPreKeyStore, 'getSignedPreKey'>) {
    super();
  }
  override saveSignedPreKey(): Promise<void> {
    return Promise.reject(new ProtocolError('Signed prekeys are not generated while decrypting.'));
  }
  override getSignedPreKey(id: number): Promise<SignedPreKeyRecord> {
    return this.base.getSignedPreKey(id);
  }
}

class StagedKyberPreKeys extends KyberPreKeyStore {
  readonly used: Array<{ id: number; signedPreKeyId: number; baseKey: PublicKey }> = [];
  constructor(
    private readonly base: Pick<KyberPreKeyStore, 'getKyberPreKey'>,
    private readonly isLastResort: (id: number) => boolean | null,
  ) {
    super();
  }
  override saveKyberPreKey(): Promise<void> {
    return Promise.reject(new ProtocolError('Kyber prekeys are not generated while decrypting.'));
  }
  override getKyberPreKey(id: number): Promise<KyberPreKeyRecord> {
    // A one-time Kyber prekey marked used in this decrypt is gone (last-resort keys stay).
    if (this.used.some((u) => u.id === id) && this.isLastResort(id) === false) {
      return Promise.reject(new ProtocolError('No Kyber prekey with that id.'));
    }
    return this.base.getKyberPreKey(id);
  }
  override markKyberPreKeyUsed(id: number, signedPreKeyId: number, baseKey: PublicKey): Promise<void> {
    this.used.push({ id, signedPreKeyId, baseKey });
    return Promise.resolve();
  }
}

class StagedSenderKeys extends SenderKeyStore {
  readonly saved = new Map<
    string,
    { serviceId: string; deviceId: number; distributionId: Uuid; record: SenderKeyRecord }
  >();
  constructor(private readonly base: Pick<SenderKeyStore, 'getSenderKey'>) {
    super();
  }
  override saveSenderKey(
    sender: ProtocolAddress,
    distributionId: Uuid,
    record: SenderKeyRecord,
  ): Promise<void> {
    const entry = { serviceId: sender.name(), deviceId: sender.deviceId(), distributionId, record };
    this.saved.set(`${key(sender)}\u0000${distributionId}`, entry);
    return Promise.resolve();
  }
  override getSenderKey(sender: ProtocolAddress, distributionId: Uuid): Promise<SenderKeyRecord | null> {
    const staged = this.saved.get(`${key(sender)}\u0000${distributionId}`);
    return staged ? Promise.resolve(staged.record) : this.base.getSenderKey(sender, distributionId);
  }
}

/**
 * The identity reads of one chain: the keys its succeeded decrypts staged, else the vault's — each vault
 * row read once per chain, as are our key pair and registration id (libsignal asks for them two or three
 * times per decrypt). A chain lives for one batch, which holds the client's write queue, so the vault's
 * rows cannot change under it.
 */
class ChainIdentity implements IdentityReads {
  #identityKey: Promise<PrivateKey> | undefined;
  #identityKeyPair: Promise<IdentityKeyPair> | undefined;
  #registrationId: Promise<number> | undefined;
  readonly #vault = new Map<string, Promise<PublicKey | null>>();
  readonly #staged = new Map<string, PublicKey>();
  constructor(private readonly base: IdentityReads) {}
  getIdentityKey(): Promise<PrivateKey> {
    return (this.#identityKey ??= this.base.getIdentityKey());
  }
  getIdentityKeyPair(): Promise<IdentityKeyPair> {
    return (this.#identityKeyPair ??= this.base.getIdentityKeyPair());
  }
  getLocalRegistrationId(): Promise<number> {
    return (this.#registrationId ??= this.base.getLocalRegistrationId());
  }
  isTrustedIdentity(name: ProtocolAddress, publicKey: PublicKey, direction: Direction): Promise<boolean> {
    return this.base.isTrustedIdentity(name, publicKey, direction);
  }
  getIdentity(name: ProtocolAddress): Promise<PublicKey | null> {
    const staged = this.#staged.get(name.name());
    if (staged) return Promise.resolve(staged);
    let read = this.#vault.get(name.name());
    if (!read) {
      read = this.base.getIdentity(name);
      this.#vault.set(name.name(), read);
    }
    return read;
  }
  /** A succeeded decrypt's staged keys: what the chain's later decrypts read. */
  succeeded(saved: ReadonlyMap<string, PublicKey>): void {
    for (const [serviceId, publicKey] of saved) this.#staged.set(serviceId, publicKey);
  }
}

/** What the stagers of one chain share. */
class Chain {
  readonly identity: ChainIdentity;
  /** Session → the stager of a succeeded decrypt that staged it last: only its record is written. */
  readonly lastSession = new Map<string, StagedStores>();
  constructor(base: IdentityStores) {
    this.identity = new ChainIdentity(base.identity);
  }
}

/**
 * One decrypt's view of a store set: reads through `previous` (the stager before it in a batch, same
 * store set) to the vault, writes kept until `commit()`. The stagers of a chain are committed in order in
 * ONE transaction (or none is): a session record that a later decrypt of the chain replaced is not written
 * (a backlog from one contact writes its session once per batch, not once per message).
 */
export class StagedStores {
  readonly sessions: StagedSessions;
  readonly identity: StagedIdentity;
  readonly preKeys: StagedPreKeys;
  readonly signedPreKeys: StagedSignedPreKeys;
  readonly kyberPreKeys: StagedKyberPreKeys;
  /** Sender keys are one set for the account; staged here when the decrypt is given them. */
  readonly senderKeys: StagedSenderKeys | undefined;
  private readonly chain: Chain;

  constructor(
    private readonly base: IdentityStores,
    previous?: StagedStores,
    private readonly baseSenderKeys?: SqlSenderKeyStore,
  ) {
    const reads = previous ?? base;
    this.chain = previous?.chain ?? new Chain(base);
    this.sessions = new StagedSessions(reads.sessions);
    this.identity = new StagedIdentity(this.chain.identity);
    this.preKeys = new StagedPreKeys(reads.preKeys);
    this.signedPreKeys = new StagedSignedPreKeys(reads.signedPreKeys);
    this.kyberPreKeys = new StagedKyberPreKeys(reads.kyberPreKeys, (id) =>
      base.kyberPreKeys.isLastResort(id),
    );
    const senderKeyReads = previous?.senderKeys ?? baseSenderKeys;
    this.senderKeys = senderKeyReads && new StagedSenderKeys(senderKeyReads);
  }

  /**
   * The decrypt through this stager succeeded: the next stager of the chain reads through it, and its
   * session records replace those staged before it. (A failed decrypt's stager is dropped uncommitted.)
   */
  succeeded(): void {
    for (const sessionKey of this.sessions.saved.keys()) this.chain.lastSession.set(sessionKey, this);
    this.chain.identity.succeeded(this.identity.saved);
  }

  /**
   * Write what THIS stager staged through the vault stores, synchronously (a batch commits its chain in
   * order). Call inside the transaction that stores the decrypt's result; a throw (e.g. a last-resort
   * Kyber key replayed) must roll it back — the whole chain's transaction, as a replaced session record
   * is written only by the stager that replaced it.
   */
  commit(): void {
    for (const [serviceId, publicKey] of this.identity.saved) {
      this.base.identity.saveRemoteIdentity(serviceId, publicKey);
    }
    for (const [sessionKey, { serviceId, deviceId, record }] of this.sessions.saved) {
      const last = this.chain.lastSession.get(sessionKey);
      if (last !== undefined && last !== this) continue; // a later decrypt of the chain replaced it
      this.base.sessions.saveSync(serviceId, deviceId, record);
    }
    for (const id of this.preKeys.removed) this.base.preKeys.removeSync(id);
    for (const { id, signedPreKeyId, baseKey } of this.kyberPreKeys.used) {
      this.base.kyberPreKeys.markUsedSync(id, signedPreKeyId, baseKey);
    }
    for (const { serviceId, deviceId, distributionId, record } of this.senderKeys?.saved.values() ?? []) {
      this.baseSenderKeys?.saveSync(serviceId, deviceId, distributionId, record);
    }
  }
}

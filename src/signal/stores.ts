/**
 * libsignal's protocol stores on the vault's SQLCipher connection (tables from migration 0002).
 * Records are libsignal's own serialized blobs. There are no in-memory caches: every call reads the
 * encrypted DB, so `dispose()` (hooked to the vault lock) only has to cut the stores off from it.
 */
import {
  Direction,
  IdentityChange,
  IdentityKeyPair,
  IdentityKeyStore,
  KyberPreKeyRecord,
  KyberPreKeyStore,
  PreKeyRecord,
  PreKeyStore,
  PublicKey,
  SenderKeyRecord,
  SenderKeyStore,
  SessionRecord,
  SessionStore,
  SignedPreKeyRecord,
  SignedPreKeyStore,
} from '@signalapp/libsignal-client';
import type { ProtocolAddress, Uuid, PrivateKey } from '@signalapp/libsignal-client';
import { ProtocolError, VaultLockedError } from '../errors.js';
import { log } from '../log.js';
import type { SqlDatabase } from '../vault/sql.js';
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import { ownBytes, wipe } from './bytes.js';

/** Which of our two identities: the account identity (ACI) or the phone-number identity (PNI). */
export type IdentityKind = 'aci' | 'pni';

export enum VerifiedStatus {
  Default = 0,
  Verified = 1,
  /** Was verified, then the key changed (or the user revoked verification). */
  Unverified = 2,
}

export type SaveIdentityResult = 'new' | 'unchanged' | 'changed';

export interface RemoteIdentity {
  readonly serviceId: string;
  readonly publicKey: PublicKey;
  readonly firstSeen: number;
  readonly changedAt: number | null;
  readonly verified: VerifiedStatus;
  /** A previously verified key changed: sending needs the user's explicit confirmation first. */
  readonly needsApproval: boolean;
}

/** "Safety number changed" for a conversation; persisted until the messaging layer consumes it. */
export interface IdentityChangeEvent {
  readonly id: number;
  readonly serviceId: string;
  readonly at: number;
  readonly wasVerified: boolean;
}

interface Guard {
  disposed: boolean;
}

class StoreAccess {
  /** Prepared once per store and connection: re-preparing cost ~0.2 ms per received message. */
  readonly #statements = new Map<string, Statement<unknown[]>>();
  constructor(
    private readonly connection: SqlDatabase,
    private readonly guard: Guard,
  ) {}
  get db(): SqlDatabase {
    if (this.guard.disposed) {
      this.#statements.clear(); // dropped with the connection on lock/dispose
      throw new VaultLockedError();
    }
    return this.connection;
  }
  prepare(sql: string): Statement<unknown[]> {
    const db = this.db;
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

const now = (): number => Date.now();

/** Run synchronous store code as a promise: errors (VaultLockedError, ProtocolError) become rejections. */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Deserialize a secret blob read from SQLite, then zero both the row's Buffer and our copy. */
function secretFrom<T>(blob: Buffer, deserialize: (bytes: Uint8Array<ArrayBuffer>) => T): T {
  const copy = ownBytes(blob);
  try {
    return deserialize(copy);
  } finally {
    wipe(copy, blob);
  }
}

/** Serialize a secret record for one write, then zero the serialized bytes. */
function withSecret(serialized: Uint8Array, write: (bytes: Uint8Array) => void): void {
  try {
    write(serialized);
  } finally {
    wipe(serialized);
  }
}

/** The stored record or a ProtocolError (libsignal expects getters for missing keys to throw). */
function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new ProtocolError(`No ${what} with that id.`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Identity

export class SqlIdentityKeyStore extends IdentityKeyStore {
  private readonly access: StoreAccess;
  private readonly listeners = new Set<(event: IdentityChangeEvent) => void>();

  constructor(
    db: SqlDatabase,
    readonly kind: IdentityKind,
    guard: Guard,
  ) {
    super();
    this.access = new StoreAccess(db, guard);
  }

  /** Store our own key pair and registration id for this identity (done once, at registration). */
  setLocalIdentity(serviceId: string, keyPair: IdentityKeyPair, registrationId: number): void {
    const serialized = keyPair.serialize();
    this.access
      .prepare(
        `INSERT INTO signal_local_identity (kind, service_id, key_pair, registration_id, created_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (kind) DO UPDATE SET service_id = excluded.service_id, key_pair = excluded.key_pair,
           registration_id = excluded.registration_id`,
      )
      .run(this.kind, serviceId, serialized, registrationId, now());
    wipe(serialized);
  }

  /** Update our service id (known only after the server answers registration). */
  setLocalServiceId(serviceId: string): void {
    this.access
      .prepare('UPDATE signal_local_identity SET service_id = ? WHERE kind = ?')
      .run(serviceId, this.kind);
  }

  hasLocalIdentity(): boolean {
    return this.localRow() !== undefined;
  }

  private localRow(): { service_id: string; key_pair: Buffer; registration_id: number } | undefined {
    return this.access
      .prepare('SELECT service_id, key_pair, registration_id FROM signal_local_identity WHERE kind = ?')
      .get(this.kind) as { service_id: string; key_pair: Buffer; registration_id: number } | undefined;
  }

  private requiredLocal(): { service_id: string; key_pair: Buffer; registration_id: number } {
    const row = this.localRow();
    if (!row) throw new ProtocolError(`No local ${this.kind} identity yet.`);
    return row;
  }

  localServiceId(): string {
    return this.requiredLocal().service_id;
  }

  localKeyPair(): IdentityKeyPair {
    const row = this.requiredLocal();
    return secretFrom(row.key_pair, (b) => IdentityKeyPair.deserialize(b));
  }

  override getIdentityKey(): Promise<PrivateKey> {
    return settle(() => this.localKeyPair().privateKey);
  }

  override getIdentityKeyPair(): Promise<IdentityKeyPair> {
    return settle(() => this.localKeyPair());
  }

  override getLocalRegistrationId(): Promise<number> {
    return settle(() => this.requiredLocal().registration_id);
  }

  override saveIdentity(name: ProtocolAddress, key: PublicKey): Promise<IdentityChange> {
    return settle(() =>
      this.saveRemoteIdentity(name.name(), key) === 'changed'
        ? IdentityChange.ReplacedExisting
        : IdentityChange.NewOrUnchanged,
    );
  }

  /**
   * Remember `key` for `serviceId`. A different key than the stored one is a change: the identity
   * becomes unverified if it was verified (and then needs approval before we send to it), and a
   * change event is recorded for the conversation.
   */
  saveRemoteIdentity(serviceId: string, key: PublicKey): SaveIdentityResult {
    const db = this.access.db;
    const serialized = key.serialize();
    let event: IdentityChangeEvent | undefined;
    const result = db.transaction((): SaveIdentityResult => {
      const row = this.access
        .prepare('SELECT public_key, verified FROM signal_identities WHERE service_id = ?')
        .get(serviceId) as { public_key: Buffer; verified: number } | undefined;
      const at = now();
      if (!row) {
        this.access
          .prepare('INSERT INTO signal_identities (service_id, public_key, first_seen) VALUES (?, ?, ?)')
          .run(serviceId, serialized, at);
        return 'new';
      }
      if (Buffer.from(serialized).equals(row.public_key)) return 'unchanged';
      const wasVerified = row.verified === Number(VerifiedStatus.Verified);
      this.access
        .prepare(
          `UPDATE signal_identities SET public_key = ?, changed_at = ?, verified = ?, needs_approval = ?
         WHERE service_id = ?`,
        )
        .run(
          serialized,
          at,
          wasVerified ? VerifiedStatus.Unverified : row.verified,
          wasVerified ? 1 : 0,
          serviceId,
        );
      const info = this.access
        .prepare('INSERT INTO signal_identity_events (service_id, at, was_verified) VALUES (?, ?, ?)')
        .run(serviceId, at, wasVerified ? 1 : 0);
      event = { id: Number(info.lastInsertRowid), serviceId, at, wasVerified };
      return 'changed';
    })();
    if (event) {
      log.info('signal.identity.changed', { wasVerified: event.wasVerified });
      for (const listener of this.listeners) listener(event);
    }
    return result;
  }

  override isTrustedIdentity(name: ProtocolAddress, key: PublicKey, direction: Direction): Promise<boolean> {
    // Receiving is always allowed (the change is shown to the user); sending to a key we have not
    // stored yet, or to a changed key the user has not confirmed, is refused.
    return settle(() => {
      if (direction === Direction.Receiving) return true;
      const identity = this.getRemoteIdentity(name.name());
      if (!identity) return true;
      return identity.publicKey.equals(key) && !identity.needsApproval;
    });
  }

  override getIdentity(name: ProtocolAddress): Promise<PublicKey | null> {
    return settle(() => this.getRemoteIdentity(name.name())?.publicKey ?? null);
  }

  getRemoteIdentity(serviceId: string): RemoteIdentity | null {
    const row = this.access
      .prepare(
        'SELECT public_key, first_seen, changed_at, verified, needs_approval FROM signal_identities WHERE service_id = ?',
      )
      .get(serviceId) as
      | {
          public_key: Buffer;
          first_seen: number;
          changed_at: number | null;
          verified: number;
          needs_approval: number;
        }
      | undefined;
    if (!row) return null;
    return {
      serviceId,
      publicKey: PublicKey.deserialize(ownBytes(row.public_key)),
      firstSeen: row.first_seen,
      changedAt: row.changed_at,
      verified: row.verified as VerifiedStatus,
      needsApproval: row.needs_approval === 1,
    };
  }

  /** Every remote identity's verified state in one read (the conversation list shows them all). */
  verifiedStatuses(): Map<string, VerifiedStatus> {
    const rows = this.access.prepare('SELECT service_id, verified FROM signal_identities').all() as {
      service_id: string;
      verified: number;
    }[];
    return new Map(rows.map((row) => [row.service_id, row.verified as VerifiedStatus]));
  }

  /**
   * Set the verified state. When `expectedKey` is given (the key the user compared), the state is
   * only changed if it is still the stored key; returns whether it was applied.
   */
  setVerified(serviceId: string, status: VerifiedStatus, expectedKey?: PublicKey): boolean {
    const identity = this.getRemoteIdentity(serviceId);
    if (!identity) return false;
    if (expectedKey && !identity.publicKey.equals(expectedKey)) return false;
    const approval = status === VerifiedStatus.Verified ? 0 : identity.needsApproval ? 1 : 0;
    this.access
      .prepare('UPDATE signal_identities SET verified = ?, needs_approval = ? WHERE service_id = ?')
      .run(status, approval, serviceId);
    return true;
  }

  /** The user confirmed sending to a changed identity. */
  approveIdentity(serviceId: string): void {
    this.access
      .prepare('UPDATE signal_identities SET needs_approval = 0 WHERE service_id = ?')
      .run(serviceId);
  }

  onIdentityChange(listener: (event: IdentityChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Change events not yet consumed (oldest first). */
  pendingIdentityChanges(): IdentityChangeEvent[] {
    const rows = this.access
      .prepare(
        'SELECT id, service_id, at, was_verified FROM signal_identity_events WHERE consumed = 0 ORDER BY id',
      )
      .all() as { id: number; service_id: string; at: number; was_verified: number }[];
    return rows.map((r) => ({
      id: r.id,
      serviceId: r.service_id,
      at: r.at,
      wasVerified: r.was_verified === 1,
    }));
  }

  /** Mark events as shown (call in the same vault commit that stores them in the conversation). */
  consumeIdentityChanges(ids: readonly number[]): void {
    const stmt = this.access.prepare('UPDATE signal_identity_events SET consumed = 1 WHERE id = ?');
    for (const id of ids) stmt.run(id);
  }
}

// ---------------------------------------------------------------------------------------------
// Sessions

export class SqlSessionStore extends SessionStore {
  private readonly access: StoreAccess;
  constructor(
    db: SqlDatabase,
    readonly ourKind: IdentityKind,
    guard: Guard,
  ) {
    super();
    this.access = new StoreAccess(db, guard);
  }

  override saveSession(name: ProtocolAddress, record: SessionRecord): Promise<void> {
    return settle(() => this.saveSync(name.name(), name.deviceId(), record));
  }

  saveSync(serviceId: string, deviceId: number, record: SessionRecord): void {
    withSecret(record.serialize(), (secret) => {
      this.access
        .prepare(
          `INSERT INTO signal_sessions (our_kind, service_id, device_id, record, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (our_kind, service_id, device_id) DO UPDATE SET record = excluded.record,
           updated_at = excluded.updated_at`,
        )
        .run(this.ourKind, serviceId, deviceId, secret, now());
    });
  }

  private load(serviceId: string, deviceId: number): SessionRecord | null {
    const row = this.access
      .prepare('SELECT record FROM signal_sessions WHERE our_kind = ? AND service_id = ? AND device_id = ?')
      .get(this.ourKind, serviceId, deviceId) as { record: Buffer } | undefined;
    return row ? secretFrom(row.record, (b) => SessionRecord.deserialize(b)) : null;
  }

  override getSession(name: ProtocolAddress): Promise<SessionRecord | null> {
    return settle(() => this.load(name.name(), name.deviceId()));
  }

  override getExistingSessions(addresses: ProtocolAddress[]): Promise<SessionRecord[]> {
    return settle(() =>
      addresses.map((address) => {
        const record = this.load(address.name(), address.deviceId());
        if (!record) throw new ProtocolError('No session for one of the recipients.');
        return record;
      }),
    );
  }

  /** Whether we can encrypt to this device right now (an open, current session). */
  hasOpenSession(serviceId: string, deviceId: number): boolean {
    return this.load(serviceId, deviceId)?.hasCurrentState() ?? false;
  }

  deviceIds(serviceId: string): number[] {
    const rows = this.access
      .prepare(
        'SELECT device_id FROM signal_sessions WHERE our_kind = ? AND service_id = ? ORDER BY device_id',
      )
      .all(this.ourKind, serviceId) as { device_id: number }[];
    return rows.map((r) => r.device_id);
  }

  deleteSession(serviceId: string, deviceId: number): void {
    this.access
      .prepare('DELETE FROM signal_sessions WHERE our_kind = ? AND service_id = ? AND device_id = ?')
      .run(this.ourKind, serviceId, deviceId);
  }

  deleteAllSessions(serviceId: string): void {
    this.access
      .prepare('DELETE FROM signal_sessions WHERE our_kind = ? AND service_id = ?')
      .run(this.ourKind, serviceId);
  }
}

// ---------------------------------------------------------------------------------------------
// Prekeys

export class SqlPreKeyStore extends PreKeyStore {
  private readonly access: StoreAccess;
  constructor(
    db: SqlDatabase,
    readonly kind: IdentityKind,
    guard: Guard,
  ) {
    super();
    this.access = new StoreAccess(db, guard);
  }

  override savePreKey(id: number, record: PreKeyRecord): Promise<void> {
    return settle(() => this.saveSync(id, record));
  }

  saveSync(id: number, record: PreKeyRecord): void {
    withSecret(record.serialize(), (secret) => {
      this.access
        .prepare('INSERT OR REPLACE INTO signal_prekeys (kind, id, record, created_at) VALUES (?, ?, ?, ?)')
        .run(this.kind, id, secret, now());
    });
  }

  override getPreKey(id: number): Promise<PreKeyRecord> {
    return settle(() => {
      const row = this.access
        .prepare('SELECT record FROM signal_prekeys WHERE kind = ? AND id = ?')
        .get(this.kind, id) as { record: Buffer } | undefined;
      return secretFrom(required(row, 'prekey').record, (b) => PreKeyRecord.deserialize(b));
    });
  }

  /** Called by libsignal once a one-time prekey has been used: it is gone for good. */
  override removePreKey(id: number): Promise<void> {
    return settle(() => this.removeSync(id));
  }

  /** Synchronous removePreKey (the receiver applies staged decrypt writes inside one sync transaction). */
  removeSync(id: number): void {
    this.access.prepare('DELETE FROM signal_prekeys WHERE kind = ? AND id = ?').run(this.kind, id);
  }

  count(): number {
    return (
      this.access.prepare('SELECT COUNT(*) AS n FROM signal_prekeys WHERE kind = ?').get(this.kind) as {
        n: number;
      }
    ).n;
  }

  has(id: number): boolean {
    return (
      this.access.prepare('SELECT 1 FROM signal_prekeys WHERE kind = ? AND id = ?').get(this.kind, id) !==
      undefined
    );
  }
}

export class SqlSignedPreKeyStore extends SignedPreKeyStore {
  private readonly access: StoreAccess;
  constructor(
    db: SqlDatabase,
    readonly kind: IdentityKind,
    guard: Guard,
  ) {
    super();
    this.access = new StoreAccess(db, guard);
  }

  override saveSignedPreKey(id: number, record: SignedPreKeyRecord): Promise<void> {
    return settle(() => this.saveSync(id, record));
  }

  saveSync(id: number, record: SignedPreKeyRecord): void {
    withSecret(record.serialize(), (secret) => {
      this.access
        .prepare(
          'INSERT OR REPLACE INTO signal_signed_prekeys (kind, id, record, created_at) VALUES (?, ?, ?, ?)',
        )
        .run(this.kind, id, secret, record.timestamp());
    });
  }

  override getSignedPreKey(id: number): Promise<SignedPreKeyRecord> {
    return settle(() => {
      const row = this.access
        .prepare('SELECT record FROM signal_signed_prekeys WHERE kind = ? AND id = ?')
        .get(this.kind, id) as { record: Buffer } | undefined;
      return secretFrom(required(row, 'signed prekey').record, (b) => SignedPreKeyRecord.deserialize(b));
    });
  }

  /** The newest signed prekey (the one currently published), or null before registration. */
  newest(): { id: number; createdAt: number } | null {
    const row = this.access
      .prepare(
        'SELECT id, created_at FROM signal_signed_prekeys WHERE kind = ? ORDER BY created_at DESC, id DESC LIMIT 1',
      )
      .get(this.kind) as { id: number; created_at: number } | undefined;
    return row ? { id: row.id, createdAt: row.created_at } : null;
  }

  /** Drop signed prekeys older than `before`, always keeping the `keep` newest (late messages use them). */
  prune(before: number, keep = 3): number {
    return this.access
      .prepare(
        `DELETE FROM signal_signed_prekeys WHERE kind = ? AND created_at < ? AND id NOT IN
           (SELECT id FROM signal_signed_prekeys WHERE kind = ? ORDER BY created_at DESC, id DESC LIMIT ?)`,
      )
      .run(this.kind, before, this.kind, keep).changes;
  }
}

export class SqlKyberPreKeyStore extends KyberPreKeyStore {
  private readonly access: StoreAccess;
  constructor(
    db: SqlDatabase,
    readonly kind: IdentityKind,
    guard: Guard,
  ) {
    super();
    this.access = new StoreAccess(db, guard);
  }

  override saveKyberPreKey(id: number, record: KyberPreKeyRecord, lastResort = false): Promise<void> {
    return settle(() => this.saveSync(id, record, lastResort));
  }

  saveSync(id: number, record: KyberPreKeyRecord, lastResort: boolean): void {
    withSecret(record.serialize(), (secret) => {
      this.access
        .prepare(
          'INSERT OR REPLACE INTO signal_kyber_prekeys (kind, id, record, last_resort, created_at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(this.kind, id, secret, lastResort ? 1 : 0, record.timestamp());
    });
  }

  override getKyberPreKey(id: number): Promise<KyberPreKeyRecord> {
    return settle(() => {
      const row = this.access
        .prepare('SELECT record FROM signal_kyber_prekeys WHERE kind = ? AND id = ?')
        .get(this.kind, id) as { record: Buffer } | undefined;
      return secretFrom(required(row, 'Kyber prekey').record, (b) => KyberPreKeyRecord.deserialize(b));
    });
  }

  /**
   * A one-time Kyber prekey is deleted on use. A last-resort key stays; each (signed prekey, base key)
   * use is recorded and a second identical use is rejected as a replay.
   */
  override markKyberPreKeyUsed(id: number, signedPreKeyId: number, baseKey: PublicKey): Promise<void> {
    return settle(() => this.markUsedSync(id, signedPreKeyId, baseKey));
  }

  /** Synchronous markKyberPreKeyUsed (see SqlPreKeyStore.removeSync). */
  markUsedSync(id: number, signedPreKeyId: number, baseKey: PublicKey): void {
    const row = this.access
      .prepare('SELECT last_resort FROM signal_kyber_prekeys WHERE kind = ? AND id = ?')
      .get(this.kind, id) as { last_resort: number } | undefined;
    if (!row) throw new ProtocolError('No Kyber prekey with that id.');
    if (row.last_resort === 0) {
      this.access.prepare('DELETE FROM signal_kyber_prekeys WHERE kind = ? AND id = ?').run(this.kind, id);
      return;
    }
    const info = this.access
      .prepare(
        `INSERT OR IGNORE INTO signal_kyber_last_resort_uses (kind, kyber_id, signed_prekey_id, base_key, used_at)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(this.kind, id, signedPreKeyId, baseKey.serialize(), now());
    if (info.changes === 0)
      throw new ProtocolError('Last-resort Kyber prekey reused with the same base key.');
  }

  /** Number of unused one-time Kyber prekeys. */
  countOneTime(): number {
    return (
      this.access
        .prepare('SELECT COUNT(*) AS n FROM signal_kyber_prekeys WHERE kind = ? AND last_resort = 0')
        .get(this.kind) as { n: number }
    ).n;
  }

  newestLastResort(): { id: number; createdAt: number } | null {
    const row = this.access
      .prepare(
        `SELECT id, created_at FROM signal_kyber_prekeys WHERE kind = ? AND last_resort = 1
         ORDER BY created_at DESC, id DESC LIMIT 1`,
      )
      .get(this.kind) as { id: number; created_at: number } | undefined;
    return row ? { id: row.id, createdAt: row.created_at } : null;
  }

  /** Drop last-resort keys older than `before`, always keeping the `keep` newest (late messages use them). */
  pruneLastResort(before: number, keep = 3): number {
    return this.access
      .prepare(
        `DELETE FROM signal_kyber_prekeys WHERE kind = ? AND last_resort = 1 AND created_at < ? AND id NOT IN
           (SELECT id FROM signal_kyber_prekeys WHERE kind = ? AND last_resort = 1
            ORDER BY created_at DESC, id DESC LIMIT ?)`,
      )
      .run(this.kind, before, this.kind, keep).changes;
  }

  isLastResort(id: number): boolean | null {
    const row = this.access
      .prepare('SELECT last_resort FROM signal_kyber_prekeys WHERE kind = ? AND id = ?')
      .get(this.kind, id) as { last_resort: number } | undefined;
    return row ? row.last_resort === 1 : null;
  }
}

// ---------------------------------------------------------------------------------------------
// Sender keys (groups; kept for completeness of the store set)

export class SqlSenderKeyStore extends SenderKeyStore {
  private readonly access: StoreAccess;
  constructor(db: SqlDatabase, guard: Guard) {
    super();
    this.access = new StoreAccess(db, guard);
  }

  override saveSenderKey(
    sender: ProtocolAddress,
    distributionId: Uuid,
    record: SenderKeyRecord,
  ): Promise<void> {
    return settle(() => {
      withSecret(record.serialize(), (secret) => {
        this.access
          .prepare(
            `INSERT INTO signal_sender_keys (service_id, device_id, distribution_id, record, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (service_id, device_id, distribution_id) DO UPDATE SET record = excluded.record,
           updated_at = excluded.updated_at`,
          )
          .run(sender.name(), sender.deviceId(), distributionId, secret, now());
      });
    });
  }

  override getSenderKey(sender: ProtocolAddress, distributionId: Uuid): Promise<SenderKeyRecord | null> {
    return settle(() => {
      const row = this.access
        .prepare(
          'SELECT record FROM signal_sender_keys WHERE service_id = ? AND device_id = ? AND distribution_id = ?',
        )
        .get(sender.name(), sender.deviceId(), distributionId) as { record: Buffer } | undefined;
      return row ? secretFrom(row.record, (b) => SenderKeyRecord.deserialize(b)) : null;
    });
  }
}

// ---------------------------------------------------------------------------------------------
// The bundle

/** The stores of one of our identities, in the shape libsignal's functions take them. */
export interface IdentityStores {
  readonly kind: IdentityKind;
  readonly identity: SqlIdentityKeyStore;
  readonly sessions: SqlSessionStore;
  readonly preKeys: SqlPreKeyStore;
  readonly signedPreKeys: SqlSignedPreKeyStore;
  readonly kyberPreKeys: SqlKyberPreKeyStore;
}

const MAX_PREKEY_ID = 0xffffff;

export class SignalProtocolStores {
  readonly aci: IdentityStores;
  readonly pni: IdentityStores;
  readonly senderKeys: SqlSenderKeyStore;
  private readonly guard: Guard = { disposed: false };
  private readonly access: StoreAccess;

  /** `db` is the vault's open connection with migration 0002 applied. */
  constructor(db: SqlDatabase) {
    this.access = new StoreAccess(db, this.guard);
    const make = (kind: IdentityKind): IdentityStores => ({
      kind,
      identity: new SqlIdentityKeyStore(db, kind, this.guard),
      sessions: new SqlSessionStore(db, kind, this.guard),
      preKeys: new SqlPreKeyStore(db, kind, this.guard),
      signedPreKeys: new SqlSignedPreKeyStore(db, kind, this.guard),
      kyberPreKeys: new SqlKyberPreKeyStore(db, kind, this.guard),
    });
    this.aci = make('aci');
    this.pni = make('pni');
    this.senderKeys = new SqlSenderKeyStore(db, this.guard);
  }

  of(kind: IdentityKind): IdentityStores {
    return kind === 'aci' ? this.aci : this.pni;
  }

  /** Our stores for a destination service id (our ACI or our PNI), or null if it is not ours. */
  forLocalServiceId(serviceId: string): IdentityStores | null {
    for (const stores of [this.aci, this.pni]) {
      if (stores.identity.hasLocalIdentity() && stores.identity.localServiceId() === serviceId) return stores;
    }
    return null;
  }

  /**
   * Reserve `count` consecutive ids (1..0xFFFFFF, wrapping) for a kind of prekey of one identity.
   * Ids are never handed out twice before wrapping, so a key in flight is never overwritten.
   */
  allocateIds(kind: IdentityKind, name: 'prekey' | 'signed' | 'kyber', count: number): number[] {
    const db = this.access.db;
    return db.transaction(() => {
      const row = this.access
        .prepare('SELECT value FROM signal_counters WHERE kind = ? AND name = ?')
        .get(kind, name) as { value: number } | undefined;
      let next = row?.value ?? 1 + Math.floor(Math.random() * (MAX_PREKEY_ID / 2));
      const ids: number[] = [];
      for (let i = 0; i < count; i += 1) {
        ids.push(next);
        next = next >= MAX_PREKEY_ID ? 1 : next + 1;
      }
      this.access
        .prepare(
          'INSERT INTO signal_counters (kind, name, value) VALUES (?, ?, ?) ON CONFLICT (kind, name) DO UPDATE SET value = excluded.value',
        )
        .run(kind, name, next);
      return ids;
    })();
  }

  /** Run `fn` in one SQLite transaction (synchronous store helpers only). */
  transaction<T>(fn: () => T): T {
    return this.access.db.transaction(fn)();
  }

  get disposed(): boolean {
    return this.guard.disposed;
  }

  /** Cut every store off from the DB (vault lock). Later calls fail with VaultLockedError. */
  dispose(): void {
    this.guard.disposed = true;
  }
}

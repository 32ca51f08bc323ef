/**
 * Our own identity key pair and registration id (per identity kind) and the remote identities we have
 * seen: trust on first use, verified state, and the "safety number changed" events.
 */
import {
  Direction,
  IdentityChange,
  IdentityKeyPair,
  IdentityKeyStore,
  PublicKey,
} from '@signalapp/libsignal-client';
import type { ProtocolAddress, PrivateKey } from '@signalapp/libsignal-client';
import { ProtocolError } from '../../errors.js';
import { log } from '../../log.js';
import type { SqlDatabase } from '../../vault/sql.js';
import { ownBytes, wipe } from '../bytes.js';
import { now, secretFrom, settle, StoreAccess, type Guard } from './access.js';

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

  /** The stored public keys of `serviceIds` in one query (absent when never seen). */
  remotePublicKeys(serviceIds: readonly string[]): Map<string, PublicKey> {
    const rows = this.access
      .prepare(
        'SELECT service_id, public_key FROM signal_identities WHERE service_id IN (SELECT value FROM json_each(?))',
      )
      .all(JSON.stringify(serviceIds)) as { service_id: string; public_key: Buffer }[];
    return new Map(rows.map((row) => [row.service_id, PublicKey.deserialize(ownBytes(row.public_key))]));
  }

  /**
   * This store with the identities of `serviceIds` read up front in one query: libsignal's multi-recipient
   * encrypt asks for every recipient's identity one callback (and one query) at a time. Only valid while
   * nothing writes identities (the caller holds the client's write queue).
   */
  withIdentitiesOf(serviceIds: readonly string[]): IdentityKeyStore {
    return new PreloadedIdentities(this, this.remotePublicKeys(serviceIds));
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

/** A store's view whose remote identities for a known set of service ids come from one earlier read. */
class PreloadedIdentities extends IdentityKeyStore {
  constructor(
    private readonly base: SqlIdentityKeyStore,
    private readonly known: ReadonlyMap<string, PublicKey>,
  ) {
    super();
  }
  override getIdentityKey(): Promise<PrivateKey> {
    return this.base.getIdentityKey();
  }
  override getIdentityKeyPair(): Promise<IdentityKeyPair> {
    return this.base.getIdentityKeyPair();
  }
  override getLocalRegistrationId(): Promise<number> {
    return this.base.getLocalRegistrationId();
  }
  override saveIdentity(name: ProtocolAddress, key: PublicKey): Promise<IdentityChange> {
    return this.base.saveIdentity(name, key);
  }
  override isTrustedIdentity(name: ProtocolAddress, key: PublicKey, direction: Direction): Promise<boolean> {
    return this.base.isTrustedIdentity(name, key, direction);
  }
  override getIdentity(name: ProtocolAddress): Promise<PublicKey | null> {
    const key = this.known.get(name.name());
    return key ? Promise.resolve(key) : this.base.getIdentity(name);
  }
}

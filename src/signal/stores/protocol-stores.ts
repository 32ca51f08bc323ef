/**
 * The whole store set on one vault connection: the ACI and PNI stores, the sender keys, prekey id
 * allocation, and `dispose()` (hooked to the vault lock), which cuts every store off from the DB at once.
 */
import type { SqlDatabase } from '../../vault/sql.js';
import { StoreAccess, type Guard } from './access.js';
import { SqlIdentityKeyStore, type IdentityKind } from './identity.js';
import { SqlKyberPreKeyStore } from './kyber-prekeys.js';
import { SqlPreKeyStore } from './prekeys.js';
import { SqlSenderKeyStore } from './sender-keys.js';
import { SqlSessionStore } from './sessions.js';
import { SqlSignedPreKeyStore } from './signed-prekeys.js';

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

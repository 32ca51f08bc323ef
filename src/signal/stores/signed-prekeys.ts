/** Signed EC prekeys: the newest is published; older ones are kept a while for late messages. */
import { SignedPreKeyRecord, SignedPreKeyStore } from '@signalapp/libsignal-client';
import type { SqlDatabase } from '../../vault/sql.js';
import { required, secretFrom, settle, StoreAccess, withSecret, type Guard } from './access.js';
import type { IdentityKind } from './identity.js';

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

/** One-time EC prekeys: handed out in our published bundle, deleted once a session uses one. */
import { PreKeyRecord, PreKeyStore } from '@signalapp/libsignal-client';
import type { SqlDatabase } from '../../vault/sql.js';
import { now, required, secretFrom, settle, StoreAccess, withSecret, type Guard } from './access.js';
import type { IdentityKind } from './identity.js';

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

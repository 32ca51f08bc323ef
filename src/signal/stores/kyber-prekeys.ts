/** Kyber (post-quantum) prekeys: one-time keys deleted on use, last-resort keys guarded against replay. */
import { KyberPreKeyRecord, KyberPreKeyStore } from '@signalapp/libsignal-client';
import type { PublicKey } from '@signalapp/libsignal-client';
import { ProtocolError } from '../../errors.js';
import type { SqlDatabase } from '../../vault/sql.js';
import { now, required, secretFrom, settle, StoreAccess, withSecret, type Guard } from './access.js';
import type { IdentityKind } from './identity.js';

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

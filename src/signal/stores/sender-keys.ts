/** Group sender keys: each contact's key per distribution (group), received in distribution messages. */
import { SenderKeyRecord, SenderKeyStore } from '@signalapp/libsignal-client';
import type { ProtocolAddress, Uuid } from '@signalapp/libsignal-client';
import type { SqlDatabase } from '../../vault/sql.js';
import { now, secretFrom, settle, StoreAccess, withSecret, type Guard } from './access.js';

/**
 * Sender keys kept per sender device; beyond it the least recently used go (bounded against a flood of
 * distribution messages: each new distribution id would be one more row). Far more groups than anyone
 * shares with one person; an evicted group's next message fails to decrypt like any lost sender key.
 */
const MAX_SENDER_KEYS_PER_DEVICE = 256;

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
    return settle(() => this.saveSync(sender.name(), sender.deviceId(), distributionId, record));
  }

  /** The synchronous write (a staged decrypt's commit, inside the receiver's transaction). */
  saveSync(serviceId: string, deviceId: number, distributionId: Uuid, record: SenderKeyRecord): void {
    withSecret(record.serialize(), (secret) => {
      this.access
        .prepare(
          `INSERT INTO signal_sender_keys (service_id, device_id, distribution_id, record, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (service_id, device_id, distribution_id) DO UPDATE SET record = excluded.record,
           updated_at = excluded.updated_at`,
        )
        .run(serviceId, deviceId, distributionId, secret, now());
    });
    this.access
      .prepare(
        `DELETE FROM signal_sender_keys WHERE service_id = ? AND device_id = ? AND distribution_id IN
           (SELECT distribution_id FROM signal_sender_keys WHERE service_id = ? AND device_id = ?
             ORDER BY updated_at DESC, rowid DESC LIMIT -1 OFFSET ?)`,
      )
      .run(serviceId, deviceId, serviceId, deviceId, MAX_SENDER_KEYS_PER_DEVICE);
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

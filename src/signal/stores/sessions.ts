/** Double-ratchet sessions, one record per (our identity, remote service id, device). */
import { SessionRecord, SessionStore } from '@signalapp/libsignal-client';
import type { ProtocolAddress } from '@signalapp/libsignal-client';
import { ProtocolError } from '../../errors.js';
import type { SqlDatabase } from '../../vault/sql.js';
import { now, secretFrom, settle, StoreAccess, withSecret, type Guard } from './access.js';
import type { IdentityKind } from './identity.js';

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

  /**
   * Every recipient's record in ONE query (a 100-member group send read them one query each): libsignal's
   * multi-recipient encrypt asks for all of them at once.
   */
  override getExistingSessions(addresses: ProtocolAddress[]): Promise<SessionRecord[]> {
    return settle(() => {
      const serviceIds = [...new Set(addresses.map((a) => a.name()))];
      const rows = this.access
        .prepare(
          `SELECT service_id, device_id, record FROM signal_sessions
           WHERE our_kind = ? AND service_id IN (SELECT value FROM json_each(?))`,
        )
        .all(this.ourKind, JSON.stringify(serviceIds)) as {
        service_id: string;
        device_id: number;
        record: Buffer;
      }[];
      const blobs = new Map(rows.map((r) => [`${r.service_id}.${r.device_id}`, r.record]));
      const records = new Map<string, SessionRecord>();
      try {
        return addresses.map((address) => {
          const key = `${address.name()}.${address.deviceId()}`;
          const blob = blobs.get(key);
          if (!blob) throw new ProtocolError('No session for one of the recipients.');
          const record = records.get(key) ?? secretFrom(blob, (b) => SessionRecord.deserialize(b));
          records.set(key, record);
          return record;
        });
      } finally {
        for (const blob of blobs.values()) blob.fill(0);
      }
    });
  }

  /** The device ids we hold sessions with, per service id, in one query (a group's members at once). */
  deviceIdsOf(serviceIds: readonly string[]): Map<string, number[]> {
    const rows = this.access
      .prepare(
        `SELECT service_id, device_id FROM signal_sessions
         WHERE our_kind = ? AND service_id IN (SELECT value FROM json_each(?)) ORDER BY service_id, device_id`,
      )
      .all(this.ourKind, JSON.stringify(serviceIds)) as { service_id: string; device_id: number }[];
    const out = new Map<string, number[]>(serviceIds.map((id) => [id, []]));
    for (const row of rows) out.get(row.service_id)?.push(row.device_id);
    return out;
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

/**
 * What a group send remembers between sends (vault tables of migration 0011), synchronous like the other
 * stores (callers run it in the client's write queue):
 * - our sender-key distribution per group, and who has had it: each member device with the identity key
 *   it had then. A member removed since the distribution was made means a new distribution id (the removed
 *   member's copy of the old key must not read what follows — Signal's rule); a member device that is
 *   new, reinstalled or whose identity changed is simply given the current key again;
 * - the group send endorsements as the server issued them (raw bytes, the member order they were issued
 *   for, their expiry), so a restart does not cost a group fetch.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { SqlDatabase } from '../../vault/sql.js';

const MembersSchema = z.array(z.string());

export interface StoredEndorsements {
  readonly response: Uint8Array<ArrayBuffer>;
  /** The member ACIs, in the order the server issued the endorsements for. */
  readonly members: readonly string[];
  readonly expiresAt: number;
}

function members(json: string | null): string[] {
  if (json === null) return [];
  try {
    const parsed = MembersSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

const deviceKey = (serviceId: string, deviceId: number): string => `${serviceId}.${deviceId}`;

export class GroupSendState {
  constructor(private readonly db: SqlDatabase) {}

  /**
   * Our distribution id for the group, made anew when someone who had the current one is no longer a
   * member (then nobody has the new one yet).
   */
  distribution(groupId: string, currentMembers: readonly string[]): string {
    const row = this.db
      .prepare('SELECT distribution_id, distribution_members FROM group_send_state WHERE group_id = ?')
      .get(groupId) as { distribution_id: string; distribution_members: string } | undefined;
    const current = new Set(currentMembers);
    if (row && members(row.distribution_members).every((m) => current.has(m))) return row.distribution_id;
    const distributionId = randomUUID();
    this.db
      .prepare(
        `INSERT INTO group_send_state (group_id, distribution_id, distribution_members) VALUES (?, ?, '[]')
           ON CONFLICT (group_id) DO UPDATE SET distribution_id = excluded.distribution_id,
             distribution_members = '[]'`,
      )
      .run(groupId, distributionId);
    this.db.prepare('DELETE FROM group_sender_key_shared WHERE group_id = ?').run(groupId);
    return distributionId;
  }

  /** The member devices that have the distribution, with the identity key each had then (base64). */
  shared(groupId: string, distributionId: string): Map<string, string> {
    const rows = this.db
      .prepare(
        `SELECT service_id, device_id, identity_key FROM group_sender_key_shared
           WHERE group_id = ? AND distribution_id = ?`,
      )
      .all(groupId, distributionId) as { service_id: string; device_id: number; identity_key: Buffer }[];
    return new Map(
      rows.map((r) => [deviceKey(r.service_id, r.device_id), Buffer.from(r.identity_key).toString('base64')]),
    );
  }

  hasShared(
    shared: ReadonlyMap<string, string>,
    serviceId: string,
    deviceId: number,
    identity: string,
  ): boolean {
    return shared.get(deviceKey(serviceId, deviceId)) === identity;
  }

  markShared(
    groupId: string,
    distributionId: string,
    serviceId: string,
    deviceIds: readonly number[],
    identityKey: Uint8Array,
  ): void {
    const insert = this.db.prepare(
      `INSERT INTO group_sender_key_shared (group_id, distribution_id, service_id, device_id, identity_key)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (group_id, service_id, device_id) DO UPDATE SET distribution_id = excluded.distribution_id,
           identity_key = excluded.identity_key`,
    );
    for (const deviceId of deviceIds)
      insert.run(groupId, distributionId, serviceId, deviceId, Buffer.from(identityKey));
    const row = this.db
      .prepare('SELECT distribution_members FROM group_send_state WHERE group_id = ?')
      .get(groupId) as { distribution_members: string } | undefined;
    const had = members(row?.distribution_members ?? null);
    if (!had.includes(serviceId)) {
      this.db
        .prepare('UPDATE group_send_state SET distribution_members = ? WHERE group_id = ?')
        .run(JSON.stringify([...had, serviceId]), groupId);
    }
  }

  /** A member's devices changed (new device, reinstall): each gets the key again. */
  forgetDevices(groupId: string, serviceId: string): void {
    this.db
      .prepare('DELETE FROM group_sender_key_shared WHERE group_id = ? AND service_id = ?')
      .run(groupId, serviceId);
  }

  endorsements(groupId: string): StoredEndorsements | undefined {
    const row = this.db
      .prepare(
        `SELECT endorsements, endorsement_members, endorsements_expire_at FROM group_send_state
           WHERE group_id = ? AND endorsements IS NOT NULL`,
      )
      .get(groupId) as
      | { endorsements: Buffer; endorsement_members: string | null; endorsements_expire_at: number | null }
      | undefined;
    if (!row || row.endorsements_expire_at === null) return undefined;
    return {
      response: new Uint8Array(row.endorsements),
      members: members(row.endorsement_members),
      expiresAt: row.endorsements_expire_at,
    };
  }

  saveEndorsements(groupId: string, stored: StoredEndorsements | undefined): void {
    this.db
      .prepare(
        `INSERT INTO group_send_state (group_id, distribution_id, distribution_members, endorsements,
             endorsement_members, endorsements_expire_at) VALUES (?, ?, '[]', ?, ?, ?)
           ON CONFLICT (group_id) DO UPDATE SET endorsements = excluded.endorsements,
             endorsement_members = excluded.endorsement_members,
             endorsements_expire_at = excluded.endorsements_expire_at`,
      )
      .run(
        groupId,
        randomUUID(),
        stored ? Buffer.from(stored.response) : null,
        stored ? JSON.stringify(stored.members) : null,
        stored?.expiresAt ?? null,
      );
  }
}

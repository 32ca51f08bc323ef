/**
 * Groups in the vault (table `groups`, migration 0010): the master key, the decrypted state as last fetched
 * and the group's conversation. A group's timeline is an ordinary conversation whose service id is
 * `group:<group id>` (no ACI or PNI can look like that), so the message store, paging, expiry and the
 * conversation list work for it unchanged; each message keeps its sender in `sourceServiceId`.
 * Synchronous: callers run it in the client's write queue or inside the receiver's transaction.
 */
import { Aci } from '@signalapp/libsignal-client';
import { GroupMasterKey, GroupSecretParams } from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import { ProtocolError } from '../errors.js';
import type { SqlDatabase } from '../vault/sql.js';
import { GroupStateSchema, type GroupState } from './group-state.js';

export interface StoredGroup {
  /** The group identifier, base64. */
  readonly id: string;
  readonly masterKey: Uint8Array<ArrayBuffer>;
  /** Null until the group's state was fetched. */
  readonly state: GroupState | null;
  readonly conversationId: string | null;
  /** Who told us of the group (the sender of the first group context we saw), if anyone. */
  readonly toldBy: string | null;
}

interface GroupRow {
  id: string;
  master_key: Buffer;
  state: string | null;
  conversation_id: string | null;
  told_by_service_id: string | null;
}

const MASTER_KEY_BYTES = 32;
const GROUP_PREFIX = 'group:';

/** The secret params of a master key (ProtocolError for a key of the wrong shape). */
export function secretParamsOf(masterKey: Uint8Array): GroupSecretParams {
  if (masterKey.length !== MASTER_KEY_BYTES) throw new ProtocolError('Malformed group master key.');
  try {
    return GroupSecretParams.deriveFromMasterKey(new GroupMasterKey(Buffer.from(masterKey)));
  } catch (error) {
    throw new ProtocolError('Malformed group master key.', { cause: error });
  }
}

export function groupIdOf(secretParams: GroupSecretParams): string {
  return Buffer.from(secretParams.getPublicParams().getGroupIdentifier().serialize()).toString('base64');
}

/** The service id of a group's conversation. */
export function groupConversationServiceId(groupId: string): string {
  return `${GROUP_PREFIX}${groupId}`;
}

/** A contact's ACI (what a group member is), not a PNI or anything else. */
export function isAci(serviceId: string): boolean {
  if (serviceId.startsWith('PNI:')) return false;
  try {
    Aci.parseFromServiceIdString(serviceId);
    return true;
  } catch {
    return false;
  }
}

/** The group id of a conversation's service id, or undefined for a 1:1 conversation. */
export function groupIdOfConversation(serviceId: string): string | undefined {
  return serviceId.startsWith(GROUP_PREFIX) ? serviceId.slice(GROUP_PREFIX.length) : undefined;
}

function parseStored(json: string): GroupState {
  let parsed: ReturnType<typeof GroupStateSchema.safeParse> | undefined;
  try {
    parsed = GroupStateSchema.safeParse(JSON.parse(json));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) throw new ProtocolError('A stored group state is unreadable.');
  return parsed.data;
}

export class GroupStore {
  /** Prepared once: `get` runs for every received group message. */
  readonly #statements = new Map<string, Statement<unknown[]>>();

  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: () => number = Date.now,
  ) {}

  private stmt(sql: string): Statement<unknown[]> {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  get(id: string): StoredGroup | undefined {
    const row = this.stmt('SELECT * FROM groups WHERE id = ?').get(id) as GroupRow | undefined;
    if (!row) return undefined;
    let state: GroupState | null = null;
    if (row.state !== null) {
      state = parseStored(row.state);
    }
    return {
      id: row.id,
      masterKey: new Uint8Array(row.master_key),
      state,
      conversationId: row.conversation_id,
      toldBy: row.told_by_service_id,
    };
  }

  /** A group we were told of (a group context in a message); its state is fetched later. No-op if known. */
  remember(id: string, masterKey: Uint8Array, toldBy: string): void {
    this.stmt(
      `INSERT INTO groups (id, master_key, told_by_service_id, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (id) DO NOTHING`,
    ).run(id, Buffer.from(masterKey), toldBy, this.clock());
  }

  /** Store a fetched state; an older revision than the stored one is ignored (returns false). */
  saveState(id: string, masterKey: Uint8Array, state: GroupState, conversationId: string | null): boolean {
    const result = this.stmt(
      `INSERT INTO groups (id, master_key, revision, state, conversation_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, state = excluded.state,
             conversation_id = COALESCE(excluded.conversation_id, groups.conversation_id),
             updated_at = excluded.updated_at
           WHERE groups.revision IS NULL OR groups.revision <= excluded.revision`,
    ).run(id, Buffer.from(masterKey), state.revision, JSON.stringify(state), conversationId, this.clock());
    return result.changes > 0;
  }

  /** The conversations of the groups (as last fetched) `aci` is a member of. */
  conversationsWithMember(aci: string): string[] {
    const rows = this.stmt(
      `SELECT conversation_id FROM groups WHERE conversation_id IS NOT NULL AND state IS NOT NULL
         AND EXISTS (SELECT 1 FROM json_each(groups.state, '$.members') AS m WHERE m.value ->> '$.aci' = ?)`,
    ).all(aci) as Array<{ conversation_id: string }>;
    return rows.map((r) => r.conversation_id);
  }
}

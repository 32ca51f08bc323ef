/**
 * Group members' names. A group state holds each member's profile key (as Signal's does): with it their
 * versioned profile is fetched and decrypted by the same rules as a contact's (src/account/contact-profiles.ts
 * — anonymously with their access key, again when the key changes or after PROFILE_REFRESH_MS). The keys and
 * names are kept in one vault record, NOT as conversations: knowing someone from a group adds no chat and no
 * message request (Signal keeps hidden conversation records; our conversation list shows every row).
 */
import { z } from 'zod';
import type { AccountKv } from '../account/account-kv.js';
import {
  fetchProfileName,
  PROFILE_REFRESH_MS,
  versionOf,
  type ProfileRequests,
} from '../account/contact-profiles.js';
import { errorFields, log } from '../log.js';
import type { GroupState } from './group-state.js';

const RECORD_KEY = 'groups.memberProfiles';
/** Profile fetches running at once for members (a 1,000-member group must not open 1,000 requests). */
const MAX_CONCURRENT_FETCHES = 4;

const RecordSchema = z.record(
  z.string(),
  z.object({
    /** The member's profile key, base64 (secret: the vault record is encrypted like the rest). */
    key: z.string(),
    name: z.string().nullable(),
    /** The key version and time of the last fetch, if any. */
    fetched: z.object({ version: z.string(), at: z.number() }).nullable(),
  }),
);
type MemberRecord = z.infer<typeof RecordSchema>;

export interface MemberProfileDeps extends ProfileRequests {
  /** Runs vault writes in the client's write queue. */
  readonly exclusive: (write: () => void) => Promise<void>;
  readonly clock: () => number;
}

export class MemberProfiles {
  #record: MemberRecord | undefined;
  readonly #queue: string[] = [];
  readonly #queued = new Set<string>();
  #running = 0;
  #deps: MemberProfileDeps | undefined;

  constructor(private readonly kv: AccountKv) {}

  /** A member's profile name, if their profile was read. */
  nameOf(aci: string): string | undefined {
    return this.#read()[aci]?.name ?? undefined;
  }

  /** Fetches run with these requests (the running client's); none before. */
  attach(deps: MemberProfileDeps | undefined): void {
    this.#deps = deps;
    if (deps) return;
    this.#queue.length = 0;
    this.#queued.clear();
  }

  /** Keeps the members' profile keys of a stored state (in the write queue) and fetches the names due. */
  learn(members: GroupState['members'], us: string): void {
    const record = this.#read();
    let changed = false;
    for (const { aci, profileKey } of members) {
      if (aci === us || !profileKey) continue;
      const known = record[aci];
      if (known?.key !== profileKey) {
        record[aci] = { key: profileKey, name: known?.name ?? null, fetched: null };
        changed = true;
      }
      if (this.#due(aci)) this.#enqueue(aci);
    }
    if (changed) this.kv.setJson(RECORD_KEY, record);
    this.#pump();
  }

  #due(aci: string): boolean {
    const entry = this.#read()[aci];
    if (!entry) return false;
    const version = versionOf(aci, Buffer.from(entry.key, 'base64'));
    if (!version) return false;
    const now = this.#deps?.clock() ?? 0;
    return entry.fetched?.version !== version || now - entry.fetched.at >= PROFILE_REFRESH_MS;
  }

  #enqueue(aci: string): void {
    if (this.#queued.has(aci)) return;
    this.#queued.add(aci);
    this.#queue.push(aci);
  }

  #pump(): void {
    while (this.#deps && this.#running < MAX_CONCURRENT_FETCHES && this.#queue.length > 0) {
      const aci = this.#queue.shift()!;
      this.#running += 1;
      this.#refresh(this.#deps, aci)
        .catch((error: unknown) => log.warn('groups.member_profile_failed', errorFields(error)))
        .finally(() => {
          this.#running -= 1;
          this.#queued.delete(aci);
          this.#pump();
        });
    }
  }

  async #refresh(deps: MemberProfileDeps, aci: string): Promise<void> {
    const entry = this.#read()[aci];
    if (!entry) return;
    const key = Buffer.from(entry.key, 'base64');
    const version = versionOf(aci, key);
    if (!version) return;
    const result = await fetchProfileName(deps, aci, key, version);
    key.fill(0);
    if (typeof result === 'string') log.info('groups.member_profile_unreadable', { failure: result });
    await deps.exclusive(() => {
      const record = this.#read();
      const now = record[aci];
      // The key changed while fetching: the next learn fetches again with the new one.
      if (now?.key !== entry.key) return;
      record[aci] = {
        ...now,
        name: typeof result === 'string' ? now.name : result.name,
        fetched: { version, at: deps.clock() },
      };
      this.kv.setJson(RECORD_KEY, record);
    });
  }

  #read(): MemberRecord {
    this.#record ??= this.kv.getJson(RECORD_KEY, RecordSchema) ?? {};
    return this.#record;
  }
}

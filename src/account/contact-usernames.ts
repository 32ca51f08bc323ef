/**
 * The username each contact was found by (conversations.start by username or username link), kept in the
 * vault (`account_kv`, one record). Until a contact writes we hold no profile key, so their profile name is
 * unknown: the username is what the chat is titled (as Signal does) — after a profile name or a local name.
 * A record in account_kv rather than a conversations column: no schema migration for one optional fact.
 */
import { z } from 'zod';
import type { AccountKv } from './account-kv.js';

const USERNAMES_KEY = 'account.contactUsernames';

/** conversation id → username (`alice.42`, at most libsignal's 32 + '.' + 9 digits, with room). */
const UsernamesSchema = z.record(z.string(), z.string().max(64));

export class ContactUsernames {
  #cache: Record<string, string> | undefined;

  constructor(
    private readonly kv: AccountKv,
    /** Whether a conversation still exists: deleted ones are dropped at the next write. */
    private readonly exists: (conversationId: string) => boolean,
  ) {}

  of(conversationId: string): string | null {
    return this.#all()[conversationId] ?? null;
  }

  /** Remembers the username that found a conversation (the latest one wins). */
  remember(conversationId: string, username: string): void {
    const all = this.#all();
    if (all[conversationId] === username) return;
    all[conversationId] = username;
    for (const id of Object.keys(all)) if (!this.exists(id)) delete all[id];
    this.kv.setJson(USERNAMES_KEY, all);
  }

  #all(): Record<string, string> {
    this.#cache ??= this.kv.getJson(USERNAMES_KEY, UsernamesSchema) ?? {};
    return this.#cache;
  }
}

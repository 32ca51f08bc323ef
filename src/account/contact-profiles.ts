/**
 * Contacts' profile names: their versioned profile (`GET /v1/profile/<aci>/<version>`) fetched with the
 * profile key they gave us, the name decrypted and shown as the conversation's title. Fetched when a
 * contact's profile key is new or changed, and again after PROFILE_REFRESH_MS (a renamed contact keeps
 * their key). A profile that cannot be read (not there, undecryptable, too long, not UTF-8) leaves the name
 * as it was and is not asked again for that key until the refresh time; nothing throws to the caller.
 */
import { Aci } from '@signalapp/libsignal-client';
import { ProfileKey } from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import { z } from 'zod';
import { errorFields, log } from '../log.js';
import type { ChatRequester } from '../messaging/delivery.js';
import type { Conversation, MessageStore } from '../messaging/store.js';
import type { AccountKv } from './account-kv.js';
import { decryptProfileName, type ProfileDecryptFailure } from './profile-crypto.js';

/** A profile read with a key is read again after this long (a renamed contact keeps their key). */
export const PROFILE_REFRESH_MS = 6 * 60 * 60 * 1000;
const FETCHED_KEY = 'account.contactProfilesFetched';
const MAX_PROFILE_BODY = 64 * 1024;

const FetchedSchema = z.record(z.string(), z.object({ version: z.string(), at: z.number() }));

const ProfileAnswerSchema = z.object({ name: z.string().max(4096).nullish() }).passthrough();

export type ProfileFetchResult = 'updated' | 'unchanged' | 'no-key' | ProfileDecryptFailure | 'not-found';

/** How a profile is fetched: with the owner's access key on the unauthenticated socket, else our login. */
export interface ProfileRequests {
  readonly request: ChatRequester;
  /**
   * The unauthenticated socket: the fetch carries the contact's access key instead of our login, so the
   * server does not learn whose profile we read (as Signal does); our login only when it refuses the key.
   */
  readonly anonymousRequest?: ChatRequester;
}

export interface ContactProfileDeps extends ProfileRequests {
  readonly messages: MessageStore;
  readonly kv: AccountKv;
  /** Runs vault writes between received envelopes (the client's write queue). */
  readonly exclusive: (write: () => void) => Promise<void>;
  readonly clock: () => number;
}

/** The profile key's version for `serviceId` (what the versioned profile is fetched by), if it is valid. */
export function versionOf(serviceId: string, key: Uint8Array): string | undefined {
  try {
    return new ProfileKey(Buffer.from(key))
      .getProfileKeyVersion(Aci.parseFromServiceIdString(serviceId))
      .toString();
  } catch {
    return undefined;
  }
}

export class ContactProfiles {
  /** Conversation ids with a fetch running or queued: one at a time each. */
  readonly #inFlight = new Set<string>();
  /** The key version last derived per conversation (derived again only when the key changes). */
  readonly #versions = new Map<string, { key: Buffer; version: string | undefined }>();
  #fetchedCache: z.infer<typeof FetchedSchema> | undefined;

  constructor(private readonly deps: ContactProfileDeps) {}

  /** Whether the conversation's profile should be (re)fetched now (cheap: runs on every message). */
  due(conversation: Conversation): boolean {
    if (this.#inFlight.has(conversation.id)) return false;
    const key = this.deps.messages.getProfileKey(conversation.id);
    if (!key) return false;
    const version = this.#version(conversation, key);
    if (!version) return false;
    const fetched = this.#fetched()[conversation.id];
    return fetched?.version !== version || this.deps.clock() - fetched.at >= PROFILE_REFRESH_MS;
  }

  /** Fetches, decrypts and stores one contact's name. Network errors throw; bad profiles are results. */
  async refresh(conversationId: string): Promise<ProfileFetchResult> {
    const conversation = this.deps.messages.getConversation(conversationId);
    const key = this.deps.messages.getProfileKey(conversationId);
    if (!conversation || !key) return 'no-key';
    const version = this.#version(conversation, key);
    if (!version) return 'no-key';
    this.#inFlight.add(conversationId);
    try {
      const fetched = await fetchProfileName(this.deps, conversation.serviceId, key, version);
      const result =
        typeof fetched === 'string'
          ? fetched
          : { name: fetched.name, changed: conversation.profileName !== fetched.name };
      await this.deps.exclusive(() => {
        const fetched = this.#fetched();
        fetched[conversationId] = { version, at: this.deps.clock() };
        // Conversations deleted since are dropped, so the record stays as small as the contact list.
        for (const id of Object.keys(fetched)) {
          if (!this.deps.messages.getConversation(id)) delete fetched[id];
        }
        this.deps.kv.setJson(FETCHED_KEY, fetched);
        if (typeof result === 'string') return;
        if (this.deps.messages.getConversation(conversationId)?.profileName === result.name) return;
        this.deps.messages.updateConversation(conversationId, { profileName: result.name });
      });
      if (typeof result === 'string') log.info('account.profile_unreadable', { failure: result });
      return typeof result === 'string' ? result : result.changed ? 'updated' : 'unchanged';
    } finally {
      this.#inFlight.delete(conversationId);
    }
  }

  /** Refreshes in the background; failures are logged (class only), never thrown. */
  refreshInBackground(conversation: Conversation): void {
    if (!this.due(conversation)) return;
    this.refresh(conversation.id).catch((error: unknown) =>
      log.warn('account.profile_fetch_failed', errorFields(error)),
    );
  }

  #version(conversation: Conversation, key: Buffer): string | undefined {
    const known = this.#versions.get(conversation.id);
    if (known?.key.equals(key)) return known.version;
    const version = versionOf(conversation.serviceId, key);
    this.#versions.set(conversation.id, { key: Buffer.from(key), version });
    return version;
  }

  #fetched(): z.infer<typeof FetchedSchema> {
    this.#fetchedCache ??= this.deps.kv.getJson(FETCHED_KEY, FetchedSchema) ?? {};
    return this.#fetchedCache;
  }
}

/**
 * The decrypted name of `serviceId`'s versioned profile, fetched with their access key (our login only when
 * the key is refused). Network errors throw; a profile that cannot be read is a failure result.
 */
export async function fetchProfileName(
  requests: ProfileRequests,
  serviceId: string,
  key: Uint8Array,
  version: string,
): Promise<{ name: string } | ProfileDecryptFailure | 'not-found'> {
  const path = `/v1/profile/${encodeURIComponent(serviceId)}/${encodeURIComponent(version)}`;
  const accessKey = Buffer.from(new ProfileKey(Buffer.from(key)).deriveAccessKey()).toString('base64');
  let response = requests.anonymousRequest
    ? await requests.anonymousRequest({
        verb: 'GET',
        path,
        headers: { 'unidentified-access-key': accessKey },
      })
    : undefined;
  if (!response || response.status === 401) response = await requests.request({ verb: 'GET', path });
  if (response.status === 404) return 'not-found';
  if (response.status !== 200 || !response.body || response.body.length > MAX_PROFILE_BODY) {
    return 'malformed';
  }
  let answer: z.infer<typeof ProfileAnswerSchema>;
  try {
    answer = ProfileAnswerSchema.parse(JSON.parse(Buffer.from(response.body).toString('utf8')));
  } catch {
    return 'malformed';
  }
  if (!answer.name) return 'not-found';
  const decrypted = decryptProfileName(Buffer.from(answer.name, 'base64'), key);
  if (!decrypted.ok) return decrypted.failure;
  const { givenName, familyName } = decrypted.value;
  return { name: (familyName ? `${givenName} ${familyName}` : givenName).slice(0, 200) };
}

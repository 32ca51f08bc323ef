/**
 * The server must hold our profile key's commitment before anything issued against that key can be
 * checked: our profile key credential (creating or joining a group presents it), contacts' profile
 * fetches. Signal uploads a profile at registration; a profile that was never set (no name) left the
 * server without one, so a user who skipped the profile name could not create or join a group. On each
 * connect, a profile key whose commitment was not uploaded yet gets one (with whatever profile we have,
 * an empty name otherwise); the key's version (public: the server serves it) records that it was.
 */
import { Aci } from '@signalapp/libsignal-client';
import { ProfileKey } from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import type { AccountKv } from '../../account/account-kv.js';
import { profileContentOf, profileUploadBody } from '../../account/own-profile.js';
import { errorFields, log } from '../../log.js';
import type { ChatRequester } from '../../messaging/delivery.js';
import { z } from 'zod';
import { ServerError } from '../../errors.js';

const COMMITTED_VERSION = 'profile.committed_version';

function versionOf(aci: string, profileKey: Uint8Array): string {
  return new ProfileKey(Buffer.from(profileKey))
    .getProfileKeyVersion(Aci.parseFromServiceIdString(aci))
    .toString();
}

/** `PUT /v1/profile` (our profile and its key's commitment) on the authenticated socket; a refusal is a ServerError. */
export async function putProfile(request: ChatRequester, body: Uint8Array): Promise<void> {
  const response = await request({
    verb: 'PUT',
    path: '/v1/profile',
    headers: { 'content-type': 'application/json' },
    body,
  });
  if (response.status !== 200) throw new ServerError('The server refused the profile.', response.status);
}

/** Records that the server holds this key's commitment (after any successful profile upload). */
export function markProfileCommitted(kv: AccountKv, aci: string, profileKey: Uint8Array): void {
  kv.setJson(COMMITTED_VERSION, versionOf(aci, profileKey));
}

/**
 * Uploads our profile once for a profile key the server has no commitment of (per the vault's record).
 * Failures are logged and retried at the next connect; nothing else waits for it.
 */
export async function ensureProfileCommitted(options: {
  readonly kv: AccountKv;
  readonly aci: string;
  readonly profileKey: Uint8Array | null;
  readonly request: ChatRequester;
}): Promise<void> {
  const { kv, aci, profileKey, request } = options;
  if (!profileKey) return;
  try {
    if (kv.getJson(COMMITTED_VERSION, z.string()) === versionOf(aci, profileKey)) return;
    await putProfile(request, profileUploadBody(aci, profileKey, profileContentOf(kv)));
    markProfileCommitted(kv, aci, profileKey);
    log.info('account.profile_committed');
  } catch (error) {
    // E.g. offline again, or the vault locked meanwhile (its database closed): the next connect retries.
    log.warn('account.profile_commit_failed', errorFields(error));
  }
}

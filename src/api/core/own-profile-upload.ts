/**
 * Uploading our profile (`PUT /v1/profile` over the client's authenticated chat socket): the fields
 * encrypted with our profile key and its commitment. Saved in the vault only after the server took it.
 */
import { NotRegisteredError } from '../../errors.js';
import {
  profileUploadBody,
  saveOwnProfile,
  savePhonePrivacy,
  type OwnProfile,
  type PhonePrivacy,
  readOwnProfile,
  readPhonePrivacy,
} from '../../account/own-profile.js';
import { readOwnProfileKey } from './account-record.js';
import { markProfileCommitted, putProfile } from './profile-commitment.js';
import type { Session } from './session.js';

export async function uploadOwnProfile(
  s: Session,
  change: { readonly profile?: OwnProfile; readonly privacy?: PhonePrivacy },
): Promise<void> {
  const account = s.account;
  if (!account) throw new NotRegisteredError('Register this device before setting a profile.');
  const client = s.needClient();
  const profileKey = readOwnProfileKey(s.kv);
  if (!profileKey) throw new NotRegisteredError('This device has no profile key; register it again.');
  const profile = change.profile ?? readOwnProfile(s.kv);
  const privacy = change.privacy ?? readPhonePrivacy(s.kv);
  // Built first: a field too long fails here, before anything is sent.
  const body = profileUploadBody(account.aci, profileKey, {
    profile,
    phoneNumberSharing: privacy.phoneNumberSharing,
  });
  await putProfile(client.accountRequest, body);
  await s.exclusive(() => {
    if (change.profile) saveOwnProfile(s.kv, change.profile);
    if (change.privacy) savePhonePrivacy(s.kv, change.privacy);
    markProfileCommitted(s.kv, account.aci, profileKey);
    return Promise.resolve();
  });
}

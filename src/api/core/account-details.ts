/**
 * The account screen's facts (issue 16): number, Signal ID, device, username and link, our profile and
 * phone-number privacy. "Who can find me by number" is sent with the next registration: neither the demo
 * network's mock server nor this build has a way to change it on a registered account.
 */
import type { AccountDetails } from '../contract.js';
import { readOwnProfile, readPhonePrivacy } from '../../account/own-profile.js';
import { readOwnUsername } from '../../account/username-service.js';
import type { Session } from './session.js';

export function accountDetails(s: Session): AccountDetails {
  const status = s.accountStatus();
  const username = readOwnUsername(s.kv);
  const profile = readOwnProfile(s.kv);
  const privacy = readPhonePrivacy(s.kv);
  return {
    registered: status.registered,
    e164: status.e164,
    aci: status.aci,
    deviceId: status.deviceId,
    username: username?.username ?? null,
    usernameLink: username?.linkUrl ?? null,
    profile: {
      givenName: profile?.givenName ?? null,
      familyName: profile?.familyName ?? null,
      about: profile?.about ?? null,
    },
    privacy: { ...privacy, discoverabilityApplies: 'next-registration' },
  };
}

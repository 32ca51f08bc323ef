/**
 * Our own profile as this device keeps it (vault account table): the name and about we set, and the
 * phone-number privacy choices. `profileUploadBody` is the one place that builds `PUT /v1/profile`: the
 * fields encrypted with our profile key plus its commitment and version — used when the name changes and
 * when the key is rotated (so a rotation never wipes the name).
 */
import { Aci } from '@signalapp/libsignal-client';
import { ProfileKey } from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import { z } from 'zod';
import type { AccountKv } from './account-kv.js';
import { encryptProfileField, encryptProfileFlag, encryptProfileName } from './profile-crypto.js';

const PROFILE_KEY = 'account.ownProfile';
const PRIVACY_KEY = 'account.privacy';

const OwnProfileSchema = z.object({
  givenName: z.string(),
  familyName: z.string().nullable(),
  about: z.string().nullable(),
});
export type OwnProfile = z.infer<typeof OwnProfileSchema>;

const PrivacySchema = z.object({
  phoneNumberSharing: z.enum(['everybody', 'nobody']),
  discoverableByPhoneNumber: z.boolean(),
});
export type PhonePrivacy = z.infer<typeof PrivacySchema>;

/** A hardened client's defaults: the number is neither shown nor findable until the user says so. */
const DEFAULT_PRIVACY: PhonePrivacy = {
  phoneNumberSharing: 'nobody',
  discoverableByPhoneNumber: false,
};

export function readOwnProfile(kv: AccountKv): OwnProfile | null {
  return kv.getJson(PROFILE_KEY, OwnProfileSchema) ?? null;
}

export function saveOwnProfile(kv: AccountKv, profile: OwnProfile): void {
  kv.setJson(PROFILE_KEY, profile);
}

export function readPhonePrivacy(kv: AccountKv): PhonePrivacy {
  return kv.getJson(PRIVACY_KEY, PrivacySchema) ?? DEFAULT_PRIVACY;
}

export function savePhonePrivacy(kv: AccountKv, privacy: PhonePrivacy): void {
  kv.setJson(PRIVACY_KEY, privacy);
}

/** What goes into our encrypted profile. */
export interface ProfileContent {
  readonly profile: OwnProfile | null;
  readonly phoneNumberSharing: PhonePrivacy['phoneNumberSharing'];
}

export function profileContentOf(kv: AccountKv): ProfileContent {
  return { profile: readOwnProfile(kv), phoneNumberSharing: readPhonePrivacy(kv).phoneNumberSharing };
}

/**
 * The JSON body of `PUT /v1/profile` (Signal's field names): commitment and version of `profileKey`, the
 * name (an empty padded name when none is set), about, and whether we share our number. Throws
 * INVALID_INPUT (naming the field) when a field is too long once encoded.
 */
export function profileUploadBody(aciText: string, profileKey: Uint8Array, content: ProfileContent): Buffer {
  const key = new ProfileKey(Buffer.from(profileKey));
  const aci = Aci.parseFromServiceIdString(aciText);
  const { profile } = content;
  const name = profile
    ? encryptProfileName(profile, profileKey)
    : encryptProfileField('name', '', profileKey);
  return Buffer.from(
    JSON.stringify({
      commitment: Buffer.from(key.getCommitment(aci).serialize()).toString('base64'),
      version: key.getProfileKeyVersion(aci).toString(),
      name: name.toString('base64'),
      about: profile?.about
        ? encryptProfileField('about', profile.about, profileKey).toString('base64')
        : null,
      aboutEmoji: null,
      paymentAddress: null,
      phoneNumberSharing: encryptProfileFlag(content.phoneNumberSharing === 'everybody', profileKey).toString(
        'base64',
      ),
      avatar: false,
      sameAvatar: false,
      badgeIds: [],
    }),
  );
}

/** The account screen: details, our profile name, phone-number privacy (issue 16). */
import { savePhonePrivacy, readPhonePrivacy } from '../../../account/own-profile.js';
import { accountDetails } from '../account-details.js';
import type { CoreContext, Handlers } from '../context.js';
import { uploadOwnProfile } from '../own-profile-upload.js';

export function profileHandlers(ctx: CoreContext) {
  return {
    'account.details': () => Promise.resolve(accountDetails(ctx.session())),
    'profile.set': async ({ givenName, familyName, about }) => {
      const s = ctx.session();
      await uploadOwnProfile(s, {
        profile: { givenName, familyName: familyName || null, about: about || null },
      });
      return accountDetails(s);
    },
    'privacy.setPhoneNumberSharing': async ({ sharing }) => {
      const s = ctx.session();
      await uploadOwnProfile(s, { privacy: { ...readPhonePrivacy(s.kv), phoneNumberSharing: sharing } });
      return accountDetails(s);
    },
    'privacy.setDiscoverable': async ({ discoverable }) => {
      const s = ctx.session();
      // Sent with the next registration (see account-details.ts); the answer says so.
      await s.exclusive(() => {
        savePhonePrivacy(s.kv, { ...readPhonePrivacy(s.kv), discoverableByPhoneNumber: discoverable });
        return Promise.resolve();
      });
      return accountDetails(s);
    },
  } satisfies Partial<Handlers>;
}

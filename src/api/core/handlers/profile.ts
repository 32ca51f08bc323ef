/** The account screen: details, our profile name, phone-number privacy (issue 16). */
import { NotAvailableError } from '../../../errors.js';
import type { CoreContext, Handlers } from '../context.js';

const notYet = () => Promise.reject(new NotAvailableError('Profiles are being built; not available yet.'));

export function profileHandlers(ctx: CoreContext) {
  return {
    'account.details': () => {
      const status = ctx.session().accountStatus();
      return Promise.resolve({
        registered: status.registered,
        e164: status.e164,
        aci: status.aci,
        deviceId: status.deviceId,
        username: null,
        usernameLink: null,
        profile: { givenName: null, familyName: null, about: null },
        privacy: {
          phoneNumberSharing: 'nobody' as const,
          discoverableByPhoneNumber: false,
          discoverabilityApplies: 'next-registration' as const,
        },
      });
    },
    'profile.set': notYet,
    'privacy.setPhoneNumberSharing': notYet,
    'privacy.setDiscoverable': notYet,
  } satisfies Partial<Handlers>;
}

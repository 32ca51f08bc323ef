/** Our username and its link (issue 16): reserve → confirm, delete, link create/reset. */
import type { CoreContext, Handlers } from '../context.js';
import { withUsernames } from '../username-access.js';
import { accountDetails } from '../account-details.js';

export function usernameHandlers(ctx: CoreContext) {
  return {
    'username.reserve': ({ nickname, discriminator }) =>
      withUsernames(ctx.session(), (u) => u.reserve(nickname, discriminator)),
    'username.confirm': async ({ username }) => {
      const s = ctx.session();
      await withUsernames(s, (u) => u.confirm(username));
      return accountDetails(s);
    },
    'username.delete': async () => {
      const s = ctx.session();
      await withUsernames(s, (u) => u.delete());
      return accountDetails(s);
    },
    'usernameLink.create': async () => ({ url: await withUsernames(ctx.session(), (u) => u.link()) }),
    'usernameLink.reset': async () => ({ url: await withUsernames(ctx.session(), (u) => u.resetLink()) }),
  } satisfies Partial<Handlers>;
}

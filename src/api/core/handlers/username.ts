/** Our username and its link (issue 16). */
import { NotAvailableError } from '../../../errors.js';
import type { CoreContext, Handlers } from '../context.js';

const notYet = () => Promise.reject(new NotAvailableError('Usernames are being built; not available yet.'));

export function usernameHandlers(_ctx: CoreContext) {
  return {
    'username.reserve': notYet,
    'username.confirm': notYet,
    'username.delete': notYet,
    'usernameLink.create': notYet,
    'usernameLink.reset': notYet,
  } satisfies Partial<Handlers>;
}

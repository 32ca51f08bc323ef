/** Who of a group got our message, and how far (src/groups/send/recipients.ts). */
import { NotFoundError } from '../../../errors.js';
import type { CoreContext, Handlers } from '../context.js';

export function messageRecipientHandlers(ctx: CoreContext) {
  return {
    'messages.recipients': ({ messageId }) => {
      const s = ctx.session();
      if (!s.messages.getMessage(messageId)) throw new NotFoundError('That message is not here any more.');
      const rows = s.needClient().groupSend.recipients(messageId);
      return Promise.resolve(rows.map((r) => ({ ...r, name: s.nameOf(r.serviceId) })));
    },
  } satisfies Partial<Handlers>;
}

/** The conversation list and one conversation's state: start, open, timer, request, block, remove. */
import { log } from '../../../log.js';
import type { CoreContext, Handlers } from '../context.js';
import { startConversation } from '../start-conversation.js';

export function conversationHandlers(ctx: CoreContext) {
  return {
    'conversations.list': () => Promise.resolve(ctx.session().listConversations()),
    'conversations.start': (input) => startConversation(ctx, input),
    'conversations.removeContact': async ({ conversationId, deleteHistory }) => {
      const s = ctx.session();
      s.conversation(conversationId);
      // Needs the connection: the rotated profile key must reach the server (else they could still read it).
      await s.needClient().removeContact(conversationId, { deleteConversation: deleteHistory });
      log.info('api.contact_removed', { deleteHistory });
      const remaining = s.messages.getConversation(conversationId);
      return { conversation: remaining ? s.apiConversation(remaining) : null };
    },
    'conversation.open': ({ conversationId, limit }) => {
      const s = ctx.session();
      const conversation = s.conversation(conversationId);
      const page = s.messages.page(conversationId, { limit: limit ?? 50 });
      return Promise.resolve({
        conversation: s.apiConversation(conversation),
        page: {
          messages: page.messages.map((m) => s.apiMessage(m)),
          nextCursor: page.nextCursor,
          total: s.messages.countMessages(conversationId),
        },
      });
    },
    'conversation.setDisappearingTimer': async ({ conversationId, seconds }) => {
      const s = ctx.session();
      s.conversation(conversationId);
      const updated = s.client
        ? await s.client.setExpireTimer(conversationId, seconds)
        : s.messages.updateConversation(conversationId, { expireTimerSeconds: seconds });
      return s.apiConversation(updated);
    },
    'conversation.acceptRequest': async ({ conversationId }) => {
      const s = ctx.session();
      s.conversation(conversationId);
      const updated = s.client
        ? await s.client.acceptRequest(conversationId)
        : s.messages.updateConversation(conversationId, {
            isRequest: false,
            isContact: true,
            acceptedAt: ctx.clock(),
          });
      return s.apiConversation(updated);
    },
    'conversation.setBlocked': ({ conversationId, blocked }) => {
      const s = ctx.session();
      s.conversation(conversationId);
      return Promise.resolve(s.apiConversation(s.messages.updateConversation(conversationId, { blocked })));
    },
    'conversation.confirmIdentity': async ({ conversationId }) => {
      const s = ctx.session();
      s.conversation(conversationId);
      return s.apiConversation(await s.needClient().confirmIdentity(conversationId));
    },
  } satisfies Partial<Handlers>;
}

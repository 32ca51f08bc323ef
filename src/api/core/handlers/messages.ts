/** A conversation's timeline: paging, sending text, read state, typing indicators. */
import { NotAvailableError } from '../../../errors.js';
import type { CoreContext, Handlers } from '../context.js';

function notYet(): never {
  throw new NotAvailableError('Not available yet (issue 14 in progress).');
}

export function messageHandlers(ctx: CoreContext) {
  return {
    'messages.page': ({ conversationId, before, limit }) => {
      const s = ctx.session();
      s.conversation(conversationId);
      const page = s.messages.page(conversationId, { before: before ?? null, limit: limit ?? 50 });
      return Promise.resolve({
        messages: page.messages.map((m) => s.apiMessage(m)),
        nextCursor: page.nextCursor,
        newerCursor: null,
        total: s.messages.countMessages(conversationId),
      });
    },
    'messages.send': async ({ conversationId, body, preview }) => {
      const s = ctx.session();
      s.conversation(conversationId);
      const image =
        preview?.imageBase64 !== undefined ? Buffer.from(preview.imageBase64, 'base64') : undefined;
      try {
        const sent = await s.needClient().sendText(
          conversationId,
          body,
          preview && {
            url: preview.url,
            title: preview.title,
            ...(preview.description !== undefined ? { description: preview.description } : {}),
            ...(image !== undefined ? { image } : {}),
          },
        );
        return s.apiMessage(sent);
      } finally {
        image?.fill(0);
      }
    },
    'messages.markRead': async ({ conversationId }) => {
      const s = ctx.session();
      s.conversation(conversationId);
      // With a client, read receipts go out too (never for held message requests).
      if (s.client) await s.client.markRead(conversationId);
      else s.messages.markRead(conversationId);
      return {};
    },
    'messages.around': () => Promise.resolve(notYet()),
    'messages.react': () => Promise.resolve(notYet()),
    'messages.deleteForEveryone': () => Promise.resolve(notYet()),
    'messages.deleteForMe': () => Promise.resolve(notYet()),
    'messages.edit': () => Promise.resolve(notYet()),
    'messages.markUnread': () => Promise.resolve(notYet()),
    'messages.setVisible': async ({ conversationId }) => {
      if (conversationId === null) return {};
      const s = ctx.session();
      s.conversation(conversationId);
      if (s.client) await s.client.markRead(conversationId);
      else s.messages.markRead(conversationId);
      return {};
    },
    'typing.send': async ({ conversationId, started }) => {
      const s = ctx.session();
      const conversation = s.conversation(conversationId);
      // Never for held requests or blocked contacts: typing would reveal we read their message.
      if (conversation.isRequest || conversation.blocked) return {};
      await s.needClient().sendTyping(conversationId, started);
      return {};
    },
  } satisfies Partial<Handlers>;
}

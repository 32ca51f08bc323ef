/**
 * A conversation's timeline: paging (and the window around a quoted message), sending text and replies,
 * sending a failed message again, reactions, delete for everyone / for me, edits, read state, typing
 * indicators.
 */
import { NotFoundError } from '../../../errors.js';
import type { CoreContext, Handlers } from '../context.js';

export function messageHandlers(ctx: CoreContext) {
  return {
    'messages.page': ({ conversationId, before, after, limit }) => {
      const s = ctx.session();
      s.conversation(conversationId);
      const page = s.messages.page(conversationId, {
        before: before ?? null,
        after: after ?? null,
        limit: limit ?? 50,
      });
      return Promise.resolve({
        messages: page.messages.map((m) => s.apiMessage(m)),
        nextCursor: page.nextCursor,
        newerCursor: page.newerCursor,
        total: s.messages.countMessages(conversationId),
      });
    },
    'messages.around': ({ messageId, limit }) => {
      const s = ctx.session();
      const target = s.messages.getMessage(messageId);
      if (!target) throw new NotFoundError('That message is not here any more.');
      const size = limit ?? 50;
      const cursor = String(target.seq);
      // The target and the older half, then the newer half: one window, newest first.
      const older = s.messages.page(target.conversationId, {
        before: String(target.seq + 1),
        limit: Math.ceil(size / 2),
      });
      const newer = s.messages.page(target.conversationId, { after: cursor, limit: Math.floor(size / 2) });
      return Promise.resolve({
        messages: [...newer.messages, ...older.messages].map((m) => s.apiMessage(m)),
        nextCursor: older.nextCursor,
        newerCursor: newer.messages.length > 0 ? newer.newerCursor : null,
        total: s.messages.countMessages(target.conversationId),
      });
    },
    'messages.send': async ({ conversationId, body, preview, replyTo }) => {
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
          replyTo,
        );
        return s.apiMessage(sent);
      } finally {
        image?.fill(0);
      }
    },
    'messages.resend': async ({ messageId }) => {
      const s = ctx.session();
      return s.apiMessage(await s.needClient().resend(messageId));
    },
    'messages.markRead': async ({ conversationId }) => {
      const s = ctx.session();
      s.conversation(conversationId);
      // With a client, read receipts go out too (never for held message requests).
      if (s.client) await s.client.markRead(conversationId);
      else s.messages.markRead(conversationId);
      return {};
    },
    'messages.react': async ({ messageId, emoji, remove }) => {
      const s = ctx.session();
      return s.apiMessage(await s.needClient().react(messageId, emoji, remove === true));
    },
    'messages.deleteForEveryone': async ({ messageId }) => {
      const s = ctx.session();
      return s.apiMessage(await s.needClient().deleteForEveryone(messageId));
    },
    'messages.deleteForMe': async ({ messageId }) => {
      await ctx.session().needClient().deleteForMe(messageId);
      return {};
    },
    'messages.edit': async ({ messageId, body }) => {
      const s = ctx.session();
      return s.apiMessage(await s.needClient().edit(messageId, body));
    },
    'messages.markUnread': async ({ conversationId }) => {
      const s = ctx.session();
      s.conversation(conversationId);
      if (s.client) await s.client.markUnread(conversationId);
      else s.messages.updateConversation(conversationId, { markedUnread: true });
      return {};
    },
    'messages.setVisible': async ({ conversationId }) => {
      const s = ctx.session();
      if (conversationId !== null) s.conversation(conversationId);
      if (s.client) await s.client.setVisible(conversationId);
      else if (conversationId !== null) s.messages.markRead(conversationId);
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

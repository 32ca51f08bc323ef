/**
 * What the conversation's actions do through the API (issue 14): react, delete, edit, send again, jump to
 * a quoted message, page newer, reading state. Each keeps the store in step with the core's answer (the events
 * that follow are idempotent) and returns the typed error, if any, for the component to show.
 */
import type { ApiError, ApiResult, Message } from '../../../src/api/contract.js';
import { getApi, PAGE } from '../../bridge.js';
import { closeConversation, removeMessage, updateMessage, useStore } from '../../store.js';

function settle(result: ApiResult<Message>): ApiError | null {
  if (!result.ok) return result.error;
  updateMessage(result.value);
  return null;
}

/** One reaction per person: a new emoji replaces ours; `remove` takes ours (that emoji) away. */
export async function react(message: Message, emoji: string, remove: boolean): Promise<ApiError | null> {
  return settle(
    await getApi().messages.react({ messageId: message.id, emoji, ...(remove ? { remove } : {}) }),
  );
}

/** Signal's "Send again" for our message that failed: it shows "sending", then "sent" or "failed" again. */
export async function resend(message: Message): Promise<ApiError | null> {
  return settle(await getApi().messages.resend({ messageId: message.id }));
}

export async function deleteForEveryone(message: Message): Promise<ApiError | null> {
  return settle(await getApi().messages.deleteForEveryone({ messageId: message.id }));
}

export async function deleteForMe(message: Message): Promise<ApiError | null> {
  const result = await getApi().messages.deleteForMe({ messageId: message.id });
  if (!result.ok) return result.error;
  removeMessage(message.id, message.conversationId);
  return null;
}

export async function editMessage(message: Message, body: string): Promise<ApiError | null> {
  return settle(await getApi().messages.edit({ messageId: message.id, body }));
}

/**
 * Shows the timeline around a message that is not loaded (a quote's original, further back): the loaded
 * window is replaced, with cursors both ways. NOT_FOUND when it is gone (expired, deleted).
 */
export async function showAround(messageId: string): Promise<ApiError | null> {
  const { openId } = useStore.getState();
  const result = await getApi().messages.around({ messageId, limit: PAGE });
  if (!result.ok) return result.error;
  if (useStore.getState().openId !== openId) return null;
  useStore.setState({
    messages: result.value.messages.slice().reverse(),
    nextCursor: result.value.nextCursor,
    newerCursor: result.value.newerCursor ?? null,
    total: result.value.total,
    loadingOlder: false,
  });
  return null;
}

let visibleSent: string | null | undefined;

/**
 * Tells the core which chat is open AND visible (or none): messages arriving there are read at once — no
 * unread badge, no toast, read receipts if enabled. Repeats are not sent.
 */
export async function setVisibleConversation(conversationId: string | null): Promise<void> {
  if (visibleSent === conversationId) return;
  visibleSent = conversationId;
  await getApi().messages.setVisible({ conversationId });
}

/** Signal's "Mark as unread"; the chat is closed first when it is the open one (else it reads as read). */
export async function markUnread(conversationId: string): Promise<ApiError | null> {
  if (useStore.getState().openId === conversationId) {
    closeConversation();
    await setVisibleConversation(null);
  }
  const result = await getApi().messages.markUnread({ conversationId });
  return result.ok ? null : result.error;
}

export async function markRead(conversationId: string): Promise<ApiError | null> {
  const result = await getApi().messages.markRead({ conversationId });
  return result.ok ? null : result.error;
}

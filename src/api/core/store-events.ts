/**
 * Message-store events → API events, plus the in-app toast for an incoming message (with the user's
 * notification privacy applied here in the core, so the UI never receives what it may not show).
 */
import type { Conversation as ApiConversation, EventPayload, Message as ApiMessage } from '../contract.js';
import type {
  Conversation,
  Message,
  MessageStore,
  StoreEventName,
  StoreEvents,
} from '../../messaging/store.js';
import type { SettingsStore } from '../../settings/store.js';
import { notificationText } from '../../settings/notification-text.js';
import type { Emit } from './context.js';
import { PREVIEW_LENGTH } from './mappers.js';

/** Anything that re-emits the store's events: the store itself, or the running client. */
export interface StoreEventSource {
  on<E extends StoreEventName>(name: E, listener: (payload: StoreEvents[E]) => void): () => void;
}

export interface StoreEventTarget {
  readonly messages: MessageStore;
  readonly settings: SettingsStore;
  apiMessage(message: Message): ApiMessage;
  apiConversation(conversation: Conversation): ApiConversation;
  conversationTitle(conversation: Conversation): string;
}

function toastFor(target: StoreEventTarget, message: Message): EventPayload<'toast'> {
  const conversation = target.messages.getConversation(message.conversationId);
  const { sender, text } = notificationText(
    target.settings.get().notificationPrivacy,
    {
      conversationName: conversation ? target.conversationTitle(conversation) : 'Someone',
      body: message.body ?? undefined,
    },
    { sender: 200, text: PREVIEW_LENGTH },
  );
  // Without the sender, not even which conversation: the toast cannot be a link into it.
  return sender === null
    ? { kind: 'message', title: text }
    : { kind: 'message', title: sender, body: text, conversationId: message.conversationId };
}

/** Forwards a source's store events as API events; returns the unsubscribers. */
export function forwardStoreEvents(
  source: StoreEventSource,
  target: StoreEventTarget,
  emit: Emit,
): Array<() => void> {
  return [
    source.on('message.added', (message) => {
      emit('message.added', { message: target.apiMessage(message) });
      if (message.kind === 'event' && message.eventType === 'identity-changed') {
        emit('identity.changed', { conversationId: message.conversationId });
      }
      // No toast for what arrived read (into the chat on screen) or as a deleted tombstone.
      if (message.kind === 'message' && message.direction === 'in' && !message.read) {
        emit('toast', toastFor(target, message));
      }
    }),
    source.on('message.updated', (message) =>
      emit('message.updated', { message: target.apiMessage(message) }),
    ),
    source.on('message.removed', (removed) => emit('message.removed', removed)),
    source.on('conversation.updated', (conversation) =>
      emit('conversation.updated', { conversation: target.apiConversation(conversation) }),
    ),
  ];
}

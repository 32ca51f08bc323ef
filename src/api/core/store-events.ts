/**
 * Message-store events → API events, plus the new-message alerts (incoming-alerts.ts: gathered into
 * rounds, one per conversation per round, with the user's notification privacy applied here in the core,
 * so the UI never receives what it may not show).
 */
import type { Conversation as ApiConversation, Message as ApiMessage } from '../contract.js';
import type {
  Conversation,
  Message,
  MessageStore,
  StoreEventName,
  StoreEvents,
} from '../../messaging/store.js';
import type { SettingsStore } from '../../settings/store.js';
import type { Emit } from './context.js';
import { IncomingAlerts } from './incoming-alerts.js';

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

/** Forwards a source's store events as API events; returns the unsubscribers. */
export function forwardStoreEvents(
  source: StoreEventSource,
  target: StoreEventTarget,
  emit: Emit,
): Array<() => void> {
  const alerts = new IncomingAlerts({
    privacy: () => target.settings.get().notificationPrivacy,
    conversationName: (id) => {
      const conversation = target.messages.getConversation(id);
      return conversation ? target.conversationTitle(conversation) : 'Someone';
    },
    emit: (toast) => emit('toast', toast),
  });
  return [
    () => alerts.dispose(),
    source.on('message.added', (message) => {
      emit('message.added', { message: target.apiMessage(message) });
      if (message.kind === 'event' && message.eventType === 'identity-changed') {
        emit('identity.changed', { conversationId: message.conversationId });
      }
      // No alert for what arrived read (into the chat on screen) or as a deleted tombstone.
      if (message.kind === 'message' && message.direction === 'in' && !message.read) {
        alerts.add(message);
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

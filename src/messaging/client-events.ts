/** What a MessagingClient tells its owner (the API session): store changes plus the client's own events. */
import { errorFields, log } from '../log.js';
import type { TypingEvent } from './receiver.js';
import type { AttachmentProgress } from './sender.js';
import type { StoreEvents } from './store.js';

export interface ClientEvents extends StoreEvents {
  typing: TypingEvent;
  /** The server delivered everything it had queued for us. */
  'queue.empty': { readonly processed: number };
  /** `failure`: the error code of the last reconnect attempt while not connected (e.g. PROXY_UNAVAILABLE). */
  'connection.state': { readonly connected: boolean; readonly failure?: string };
  /** A conversation and its timeline were deleted (removeContact with deleteConversation). */
  'conversation.removed': { readonly id: string };
  /** Upload/download progress of an attachment (bytes of the encrypted blob). */
  'attachment.progress': AttachmentProgress;
}
type ClientEventName = keyof ClientEvents;

/** Listeners per event; a throwing listener is logged and does not stop the others. */
export class ClientEmitter {
  private readonly listeners = new Map<ClientEventName, Set<(payload: never) => void>>();

  on<E extends ClientEventName>(name: E, listener: (payload: ClientEvents[E]) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<E extends ClientEventName>(name: E, payload: ClientEvents[E]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        (listener as (p: ClientEvents[E]) => void)(payload);
      } catch (error) {
        log.warn('messaging.listener_failed', errorFields(error));
      }
    }
  }
}

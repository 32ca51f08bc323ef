/**
 * New-message alerts (the in-app toast, and through it the OS notification) for what arrived in one turn
 * of the event loop, not one per message: a backlog of 10,000 messages after a night offline is a
 * handful of alerts, not 10,000 toasts and notifications. Per turn: one alert per conversation that got
 * new messages (its latest message, or a count when there are several), and above
 * MAX_CONVERSATION_ALERTS conversations one alert with counts only. Notification privacy applies here.
 */
import type { EventPayload } from '../contract.js';
import type { NotificationPrivacy } from '../../settings/schema.js';
import { notificationText, severalConversationsText } from '../../settings/notification-text.js';
import { PREVIEW_LENGTH } from './mappers.js';

/** More conversations than this in one turn get one alert with counts instead of one each. */
export const MAX_CONVERSATION_ALERTS = 3;

const LIMITS = { sender: 200, text: PREVIEW_LENGTH } as const;

type Toast = EventPayload<'toast'>;

export interface IncomingAlertsOptions {
  readonly privacy: () => NotificationPrivacy;
  /** The conversation's display name ('' when unknown). Asked once per conversation per turn. */
  readonly conversationName: (conversationId: string) => string;
  readonly emit: (toast: Toast) => void;
}

interface Pending {
  count: number;
  latestBody: string | undefined;
}

export class IncomingAlerts {
  /** Conversations with new messages this turn, in order of their latest message (alerted in that order). */
  readonly #pending = new Map<string, Pending>();
  #scheduled: NodeJS.Immediate | undefined;

  constructor(private readonly options: IncomingAlertsOptions) {}

  /** An incoming, unread message: alerted at the end of this turn with whatever else arrived in it. */
  add(message: { readonly conversationId: string; readonly body: string | null }): void {
    const entry = this.#pending.get(message.conversationId) ?? { count: 0, latestBody: undefined };
    this.#pending.delete(message.conversationId); // re-inserted last: the most recent goes last
    entry.count += 1;
    entry.latestBody = message.body ?? undefined;
    this.#pending.set(message.conversationId, entry);
    this.#scheduled ??= setImmediate(() => this.flush());
  }

  /** Emits this turn's alerts now. */
  flush(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const pending = [...this.#pending];
    this.#pending.clear();
    if (pending.length === 0) return;
    if (pending.length > MAX_CONVERSATION_ALERTS) {
      const messages = pending.reduce((sum, [, entry]) => sum + entry.count, 0);
      this.options.emit({ kind: 'message', title: severalConversationsText(messages, pending.length) });
      return;
    }
    const privacy = this.options.privacy();
    for (const [conversationId, entry] of pending) {
      const { sender, text } = notificationText(
        privacy,
        { conversationName: this.options.conversationName(conversationId), body: entry.latestBody },
        LIMITS,
        entry.count,
      );
      // Without the sender, not even which conversation: the alert cannot be a link into it.
      this.options.emit(
        sender === null
          ? { kind: 'message', title: text }
          : { kind: 'message', title: sender, body: text, conversationId },
      );
    }
  }

  /** Drops what is pending (the session is closing: a locked vault alerts nothing). */
  dispose(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    this.#pending.clear();
  }
}

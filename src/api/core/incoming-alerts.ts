/**
 * New-message alerts (the in-app toast, and through it the OS notification) for what arrived together,
 * not one per message: a backlog of 10,000 messages after a night offline is a handful of alerts, not
 * 10,000 toasts and notifications. A message is alerted at the end of its event-loop turn, but never
 * sooner than ALERT_INTERVAL_MS after the previous alerts; what arrives meanwhile is gathered. Each round
 * is one alert per conversation that got new messages (its latest message, or a count when there are
 * several), or above MAX_CONVERSATION_ALERTS conversations one alert with counts only. Notification
 * privacy applies here.
 */
import type { EventPayload } from '../contract.js';
import type { NotificationPrivacy } from '../../settings/schema.js';
import { notificationText, severalConversationsText } from '../../settings/notification-text.js';
import { PREVIEW_LENGTH } from './mappers.js';

/** More conversations than this in one round get one alert with counts instead of one each. */
export const MAX_CONVERSATION_ALERTS = 3;
/** Rounds of alerts are at least this far apart (a backlog drains over many turns). */
const ALERT_INTERVAL_MS = 2000;

const LIMITS = { sender: 200, text: PREVIEW_LENGTH } as const;

type Toast = EventPayload<'toast'>;

export interface IncomingAlertsOptions {
  readonly privacy: () => NotificationPrivacy;
  /** The conversation's display name ('' when unknown). Asked once per conversation per turn. */
  readonly conversationName: (conversationId: string) => string;
  readonly emit: (toast: Toast) => void;
  /** Default ALERT_INTERVAL_MS. */
  readonly intervalMs?: number;
}

interface Pending {
  count: number;
  latestBody: string | undefined;
}

export class IncomingAlerts {
  /** Conversations with new messages this round, in order of their latest message (alerted in that order). */
  readonly #pending = new Map<string, Pending>();
  #scheduled: NodeJS.Timeout | undefined;
  #lastRoundAt = -Infinity;

  constructor(private readonly options: IncomingAlertsOptions) {}

  /** An incoming, unread message: alerted with whatever else arrives until its round is due. */
  add(message: { readonly conversationId: string; readonly body: string | null }): void {
    const entry = this.#pending.get(message.conversationId) ?? { count: 0, latestBody: undefined };
    this.#pending.delete(message.conversationId); // re-inserted last: the most recent goes last
    entry.count += 1;
    entry.latestBody = message.body ?? undefined;
    this.#pending.set(message.conversationId, entry);
    if (this.#scheduled) return;
    const interval = this.options.intervalMs ?? ALERT_INTERVAL_MS;
    const wait = Math.max(0, this.#lastRoundAt + interval - performance.now());
    this.#scheduled = setTimeout(() => this.#round(), wait);
  }

  #round(): void {
    this.#scheduled = undefined;
    this.#lastRoundAt = performance.now();
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
    clearTimeout(this.#scheduled);
    this.#scheduled = undefined;
    this.#pending.clear();
  }
}

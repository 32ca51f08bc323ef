/**
 * The renderer's one zustand store, built from slices. Each slice exports its initial state; on
 * `vault.locked` every slice is reset to it (see resetForLock). No `persist` middleware (localStorage is
 * plaintext on disk), and no secrets: passphrases and PINs live only in a component's local state until
 * sent.
 */
import { create } from 'zustand';
import type {
  AccountDetails,
  AccountStatus,
  AppInfo,
  AuditReport,
  Conversation,
  Message,
  PinReminderStatus,
  SettingsView,
  VaultState,
} from '../src/api/contract.js';

// ---- session: vault state and app facts (kept across lock, they hold no conversation data) ----------
export interface SessionState {
  vaultState: VaultState | 'unknown' | 'disconnected';
  insecureNoPassphrase: boolean;
  appInfo: AppInfo | null;
  lockReason: string | null;
  network: 'offline' | 'connecting' | 'online' | 'proxy-error';
}
const initialSession: SessionState = {
  vaultState: 'unknown',
  insecureNoPassphrase: false,
  appInfo: null,
  lockReason: null,
  network: 'offline',
};

// ---- account ---------------------------------------------------------------------------------------
export interface AccountSliceState {
  account: AccountStatus | null;
  /** Whether a PIN reminder is due (never the PIN or its hash). */
  pinReminder: PinReminderStatus | null;
  /** The account screen's data (number, Signal ID, username and link, profile, privacy); loaded there. */
  accountDetails: AccountDetails | null;
}
const initialAccount: AccountSliceState = { account: null, pinReminder: null, accountDetails: null };

// ---- settings --------------------------------------------------------------------------------------
export interface SettingsSliceState {
  settings: SettingsView | null;
  audit: AuditReport | null;
}
const initialSettings: SettingsSliceState = { settings: null, audit: null };

// ---- conversations ---------------------------------------------------------------------------------
export interface ConversationsState {
  conversations: Record<string, Conversation>;
}
const initialConversations: ConversationsState = { conversations: {} };

// ---- timeline of the open conversation (oldest first, for display) ---------------------------------
export interface TimelineState {
  openId: string | null;
  messages: Message[];
  nextCursor: string | null;
  /**
   * Set while the loaded window ends before the newest message (after a jump to a quoted message): newer
   * pages load on scrolling down, and arriving messages are not appended to the wrong place.
   */
  newerCursor: string | null;
  total: number;
  loadingOlder: boolean;
}
const initialTimeline: TimelineState = {
  openId: null,
  messages: [],
  nextCursor: null,
  newerCursor: null,
  total: 0,
  loadingOlder: false,
};

// ---- typing indicators: conversation id → the contact is typing (ephemeral, dropped on lock) ---------
export interface TypingState {
  typing: Record<string, true>;
}
const initialTyping: TypingState = { typing: {} };

// ---- attachment transfers: attachment id → progress (bytes of the encrypted blob) ------------------
export interface TransferProgress {
  direction: 'upload' | 'download';
  loaded: number;
  total: number;
}
export interface TransfersState {
  transfers: Record<string, TransferProgress>;
}
const initialTransfers: TransfersState = { transfers: {} };

// ---- navigation ------------------------------------------------------------------------------------
export type View =
  | { name: 'chats' }
  | { name: 'safety-number'; conversationId: string }
  | { name: 'settings' }
  | { name: 'hardening' }
  | { name: 'account' }
  | { name: 'workshop' }
  | { name: 'registration' };
export interface UiState {
  view: View;
}
const initialUi: UiState = { view: { name: 'chats' } };

// ---- toasts ----------------------------------------------------------------------------------------
export interface Toast {
  id: number;
  kind: 'message' | 'info' | 'error';
  title: string;
  body?: string;
}
export interface ToastsState {
  toasts: Toast[];
}
const initialToasts: ToastsState = { toasts: [] };

export type StoreState = SessionState &
  AccountSliceState &
  SettingsSliceState &
  ConversationsState &
  TimelineState &
  TypingState &
  TransfersState &
  UiState &
  ToastsState;

export const useStore = create<StoreState>()(() => ({
  ...initialSession,
  ...initialAccount,
  ...initialSettings,
  ...initialConversations,
  ...initialTimeline,
  ...initialTyping,
  ...initialTransfers,
  ...initialUi,
  ...initialToasts,
}));

/** Every slice except the session facts back to its initial state (replace, not merge). */
export function resetForLock(vaultState: SessionState['vaultState'], lockReason: string | null): void {
  const { appInfo, insecureNoPassphrase } = useStore.getState();
  useStore.setState(
    {
      ...initialSession,
      appInfo,
      insecureNoPassphrase,
      vaultState,
      lockReason,
      ...initialAccount,
      ...initialSettings,
      ...initialConversations,
      ...initialTimeline,
      ...initialTyping,
      ...initialTransfers,
      ...initialUi,
      ...initialToasts,
    },
    true,
  );
}

// ---- pure updaters (used by the bridge) --------------------------------------------------------------

export function upsertConversation(conversation: Conversation): void {
  useStore.setState((state) => ({
    conversations: { ...state.conversations, [conversation.id]: conversation },
  }));
}

/** A conversation was deleted (with its history): drop it, and its timeline when it is the open one. */
export function removeConversation(conversationId: string): void {
  useStore.setState((state) => {
    if (!(conversationId in state.conversations) && state.openId !== conversationId) return {};
    const conversations = { ...state.conversations };
    delete conversations[conversationId];
    const typing = { ...state.typing };
    delete typing[conversationId];
    return state.openId === conversationId
      ? { conversations, typing, openId: null, messages: [], nextCursor: null, total: 0, loadingOlder: false }
      : { conversations, typing };
  });
}

/** No chat open (marked unread from the list while it was open: Signal closes it). */
export function closeConversation(): void {
  useStore.setState({ ...initialTimeline });
}

export function setConversations(list: readonly Conversation[]): void {
  const conversations: Record<string, Conversation> = {};
  for (const conversation of list) conversations[conversation.id] = conversation;
  useStore.setState({ conversations });
}

/**
 * New messages applied in one update: those of the open conversation, each once. The core sends one
 * event per message, and a backlog is thousands in a row; one update per message would copy the list
 * and render the conversation thousands of times.
 */
export function addMessages(batch: readonly Message[]): void {
  useStore.setState((state) => {
    const known = new Set(state.messages.map((m) => m.id));
    const fresh: Message[] = [];
    for (const message of batch) {
      if (message.conversationId !== state.openId || known.has(message.id)) continue;
      known.add(message.id);
      fresh.push(message);
    }
    if (fresh.length === 0) return state; // the same state: no listener runs, nothing renders
    // A window of older messages is shown: the new ones load with the newer pages.
    if (state.newerCursor !== null) return { total: state.total + fresh.length };
    return { messages: [...state.messages, ...fresh], total: state.total + fresh.length };
  });
}

export function addMessage(message: Message): void {
  addMessages([message]);
}

export function updateMessage(message: Message): void {
  useStore.setState((state) => {
    if (state.openId !== message.conversationId) return {};
    const index = state.messages.findIndex((m) => m.id === message.id);
    if (index < 0) return {};
    const messages = state.messages.slice();
    messages[index] = message;
    return { messages };
  });
}

export function removeMessage(id: string, conversationId: string): void {
  useStore.setState((state) => {
    if (state.openId !== conversationId) return {};
    const messages = state.messages.filter((m) => m.id !== id);
    return messages.length === state.messages.length ? {} : { messages, total: Math.max(0, state.total - 1) };
  });
}

export function setTyping(conversationId: string, typing: boolean): void {
  useStore.setState((state) => {
    if (typing === (state.typing[conversationId] === true)) return {};
    const next = { ...state.typing };
    if (typing) next[conversationId] = true;
    else delete next[conversationId];
    return { typing: next };
  });
}

export function setTransfer(attachmentId: string, progress: TransferProgress): void {
  useStore.setState((state) => ({ transfers: { ...state.transfers, [attachmentId]: progress } }));
}

/** At most this many toasts at once: a new one pushes the oldest out instead of piling up. */
const TOAST_CAP = 3;
let toastSeq = 0;
export function pushToast(toast: Omit<Toast, 'id'>): number {
  const id = ++toastSeq;
  useStore.setState((state) => ({ toasts: [...state.toasts.slice(1 - TOAST_CAP), { ...toast, id }] }));
  return id;
}
export function dismissToast(id: number): void {
  useStore.setState((state) => ({ toasts: state.toasts.filter((t) => t.id !== id) }));
}

/** Sorted conversation list (most recent first) — derive in components with useShallow on the record. */
export function sortConversations(record: Record<string, Conversation>): Conversation[] {
  return Object.values(record).sort((a, b) => (b.lastMessageAt ?? 0) - (a.lastMessageAt ?? 0));
}

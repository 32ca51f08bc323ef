/**
 * The one module that talks to `window.carapace` outside React: it subscribes to core events, keeps the
 * store in step, and offers the actions the screens call. Components never subscribe to the API
 * themselves.
 */
import type { ApiResult, CarapaceApi, Message } from '../src/api/contract.js';
import {
  addMessages,
  pushToast,
  removeConversation,
  removeMessage,
  resetForLock,
  setTransfer,
  setTyping,
  setConversations,
  updateMessage,
  upsertConversation,
  useStore,
  type View,
} from './store.js';

let api: CarapaceApi | null = null;
/** Object URLs created for blobs (attachments, images); revoked on lock. */
const objectUrls = new Set<string>();

export function getApi(): CarapaceApi {
  if (!api) throw new Error('Carapace API not connected');
  return api;
}

function trackObjectUrl(url: string): string {
  objectUrls.add(url);
  return url;
}

/** Bytes the core sent as base64. The caller zeroes them once used. */
export function base64ToBytes(dataBase64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(dataBase64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * A blob: URL for bytes from the core, in one piece or several (tracked: revoked on lock, or earlier with
 * releaseObjectUrl). The Blob keeps its own copy; the pieces are zeroed.
 */
export function blobUrl(data: string | readonly Uint8Array<ArrayBuffer>[], type: string): string {
  const parts = typeof data === 'string' ? [base64ToBytes(data)] : data;
  const url = URL.createObjectURL(new Blob([...parts], { type }));
  for (const part of parts) part.fill(0);
  return trackObjectUrl(url);
}

/** Revoke one URL now (view-once media after it was shown). */
export function releaseObjectUrl(url: string): void {
  URL.revokeObjectURL(url);
  objectUrls.delete(url);
}

/** A file's bytes as base64 for the API (in slices: String.fromCharCode has an argument limit). */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  const SLICE = 0x8000;
  for (let i = 0; i < bytes.length; i += SLICE) {
    binary += String.fromCharCode(...bytes.subarray(i, i + SLICE));
  }
  bytes.fill(0);
  return btoa(binary);
}

function revokeObjectUrls(): void {
  for (const url of objectUrls) URL.revokeObjectURL(url);
  objectUrls.clear();
}

/**
 * A contact's "typing" shows until they stop, send, or go quiet: senders repeat "started" every few
 * seconds while typing, so an indicator without news for 15 s is stale.
 */
const TYPING_STALE_MS = 15_000;
const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();

function onTyping(conversationId: string, started: boolean): void {
  const timer = typingTimers.get(conversationId);
  if (timer) clearTimeout(timer);
  typingTimers.delete(conversationId);
  setTyping(conversationId, started);
  if (started) {
    typingTimers.set(
      conversationId,
      setTimeout(() => {
        typingTimers.delete(conversationId);
        setTyping(conversationId, false);
      }, TYPING_STALE_MS),
    );
  }
}

/** How long message.added events are gathered before they are applied together (about one frame). */
const ADDED_BATCH_MS = 16;
let addedMessages: Message[] = [];
let addedTimer: ReturnType<typeof setTimeout> | undefined;

function queueAddedMessage(message: Message): void {
  addedMessages.push(message);
  addedTimer ??= setTimeout(flushAddedMessages, ADDED_BATCH_MS);
}

function flushAddedMessages(): void {
  const batch = addedMessages;
  dropAddedMessages();
  if (batch.length === 0) return;
  // Their messages arrived: they are no longer typing them.
  const wrote = new Set(batch.filter((m) => m.direction === 'in').map((m) => m.conversationId));
  for (const conversationId of wrote) onTyping(conversationId, false);
  addMessages(batch);
}

function dropAddedMessages(): void {
  if (addedTimer !== undefined) clearTimeout(addedTimer);
  addedTimer = undefined;
  addedMessages = [];
}

function clearTypingTimers(): void {
  for (const timer of typingTimers.values()) clearTimeout(timer);
  typingTimers.clear();
}

/** Clears every piece of conversation state and shows the lock screen. */
function clearForLock(reason: string | null): void {
  revokeObjectUrls();
  clearTypingTimers();
  dropAddedMessages();
  resetForLock('locked', reason);
}

export function navigate(view: View): void {
  useStore.setState({ view });
}

export async function connect(carapace: CarapaceApi): Promise<void> {
  api = carapace;
  // Subscribed for the page's lifetime: connect runs once per page load.
  carapace.on('vault.locked', ({ reason }) => clearForLock(reason));
  carapace.on('vault.unlocked', () => {
    void afterUnlock();
  });
  carapace.on('message.added', ({ message }) => queueAddedMessage(message));
  carapace.on('typing', ({ conversationId, started }) => onTyping(conversationId, started));
  carapace.on('attachment.progress', ({ attachmentId, direction, loaded, total }) =>
    setTransfer(attachmentId, { direction, loaded, total }),
  );
  // A change to a message still queued would be lost (or overwritten by the older copy): add first.
  carapace.on('message.updated', ({ message }) => {
    flushAddedMessages();
    updateMessage(message);
  });
  carapace.on('message.removed', ({ id, conversationId }) => {
    flushAddedMessages();
    removeMessage(id, conversationId);
  });
  carapace.on('conversation.updated', ({ conversation }) => upsertConversation(conversation));
  carapace.on('conversation.removed', ({ conversationId }) => removeConversation(conversationId));
  carapace.on('identity.changed', () => {
    void refreshConversations();
  });
  carapace.on('network.status', ({ status }) => {
    networkEvents += 1;
    useStore.setState({ network: status });
  });
  carapace.on('settings.changed', ({ settings }) => useStore.setState({ settings }));
  carapace.on('toast', (toast) => {
    if (useStore.getState().vaultState !== 'unlocked') return;
    pushToast({
      kind: toast.kind,
      title: toast.title,
      ...(toast.body !== undefined ? { body: toast.body } : {}),
    });
  });
  const [info, status] = await Promise.all([carapace.app.info(), carapace.vault.status()]);
  if (info.ok) useStore.setState({ appInfo: info.value });
  if (!status.ok) {
    useStore.setState({
      vaultState: status.error.code === 'DISCONNECTED' ? 'disconnected' : 'uninitialized',
    });
    return;
  }
  useStore.setState({
    vaultState: status.value.state,
    insecureNoPassphrase: status.value.insecureNoPassphrase,
  });
  if (status.value.state === 'unlocked') await afterUnlock();
}

/** Counts `network.status` events, so an answer that an event overtook does not overwrite it. */
let networkEvents = 0;

/** The connection state now: a window opened while connected gets no event until the next change. */
async function refreshNetworkStatus(): Promise<void> {
  const before = networkEvents;
  const result = await getApi().network.status();
  if (result.ok && networkEvents === before) useStore.setState({ network: result.value.status });
}

let loading: Promise<void> | null = null;

/** Loads what the main screens need once the vault is open (one load at a time). */
export function afterUnlock(): Promise<void> {
  loading ??= loadAfterUnlock().finally(() => {
    loading = null;
  });
  return loading;
}

async function loadAfterUnlock(): Promise<void> {
  const carapace = getApi();
  useStore.setState({ vaultState: 'unlocked', lockReason: null });
  const [settings, account] = await Promise.all([carapace.settings.get(), carapace.account.status()]);
  if (settings.ok) useStore.setState({ settings: settings.value });
  if (account.ok) useStore.setState({ account: account.value });
  await Promise.all([refreshConversations(), refreshPinReminder(), refreshNetworkStatus()]);
}

export async function refreshPinReminder(): Promise<void> {
  const result = await getApi().pin.reminderStatus();
  if (result.ok) useStore.setState({ pinReminder: result.value });
}

export async function refreshConversations(): Promise<void> {
  const result = await getApi().conversations.list();
  if (result.ok) setConversations(result.value);
}

export async function refreshAccount(): Promise<void> {
  const result = await getApi().account.status();
  if (result.ok) useStore.setState({ account: result.value });
}

/** Messages per page: the first page, each older/newer page and the window around a quote. */
export const PAGE = 50;

export async function openConversation(conversationId: string): Promise<ApiResult<unknown>> {
  const result = await getApi().conversation.open({ conversationId, limit: PAGE });
  if (!result.ok) return result;
  const { conversation, page } = result.value;
  upsertConversation(conversation);
  useStore.setState({
    view: { name: 'chats' },
    openId: conversation.id,
    messages: page.messages.slice().reverse(),
    nextCursor: page.nextCursor,
    newerCursor: page.newerCursor ?? null,
    total: page.total,
    loadingOlder: false,
  });
  if (conversation.unreadCount > 0) void getApi().messages.markRead({ conversationId });
  return result;
}

/**
 * Removes a contact (their copy of our profile key stops working: the core rotates it). With
 * `deleteHistory` the conversation goes too. On an error the list is reloaded: the contact may already be
 * removed even if uploading the new profile key failed.
 */
export async function removeContact(
  conversationId: string,
  deleteHistory: boolean,
): Promise<ApiResult<unknown>> {
  const result = await getApi().conversations.removeContact({ conversationId, deleteHistory });
  if (!result.ok) {
    await refreshConversations();
    return result;
  }
  if (result.value.conversation) upsertConversation(result.value.conversation);
  else removeConversation(conversationId);
  return result;
}

/** Loads the next page on one side of the open window; returns how many messages were added. */
async function loadPage(side: 'older' | 'newer'): Promise<number> {
  const { openId, nextCursor, newerCursor, loadingOlder } = useStore.getState();
  const cursor = side === 'older' ? nextCursor : newerCursor;
  if (!openId || !cursor || loadingOlder) return 0;
  useStore.setState({ loadingOlder: true });
  const result = await getApi().messages.page({
    conversationId: openId,
    limit: PAGE,
    ...(side === 'older' ? { before: cursor } : { after: cursor }),
  });
  const state = useStore.getState();
  if (state.openId !== openId) return 0;
  if (!result.ok) {
    useStore.setState({ loadingOlder: false });
    return 0;
  }
  const known = new Set(state.messages.map((m) => m.id));
  const added: Message[] = result.value.messages.filter((m) => !known.has(m.id)).reverse();
  const { total } = result.value;
  useStore.setState(
    side === 'older'
      ? {
          messages: [...added, ...state.messages],
          nextCursor: result.value.nextCursor,
          total,
          loadingOlder: false,
        }
      : {
          messages: [...state.messages, ...added],
          newerCursor: result.value.newerCursor ?? null,
          total,
          loadingOlder: false,
        },
  );
  return added.length;
}

/** The next older page is prepended. */
export const loadOlder = (): Promise<number> => loadPage('older');
/** The next newer page of a window that ends before the newest message (after a jump to a quote). */
export const loadNewer = (): Promise<number> => loadPage('newer');

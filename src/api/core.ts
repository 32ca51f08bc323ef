/**
 * The command handlers over the core modules (vault, settings, messaging, …). Only src/api/service.ts
 * uses this; handlers receive inputs already parsed by the contract's zod schemas.
 *
 * Everything derived from the unlocked vault (stores, clients, caches) lives in one `Session` object that
 * is created on unlock and dropped — with every cache — on lock.
 */
import type { z } from 'zod';
import {
  DEFAULT_SETTINGS,
  type COMMANDS,
  type CommandName,
  type CommandOutput,
  type Conversation as ApiConversation,
  type EventName,
  type EventPayload,
  type Message as ApiMessage,
  type Settings,
} from './contract.js';
import { ValidationError, VaultLockedError } from '../errors.js';
import type { SqlDatabase } from '../vault/sql.js';
import { MessageStore, type Conversation, type Message } from '../messaging/store.js';
import { SettingsStore } from '../settings/store.js';
import type { ClientConfig } from '../net/config.js';
import { AutoLock, Vault, type VaultOptions } from '../vault/index.js';

export interface CoreOptions {
  profileDir: string;
  /** The Signal service to talk to; absent = offline (no registration, no messaging). */
  networkConfig?: ClientConfig;
  clock?: () => number;
  /** Platform facts the UI shows (the Electron shell sets screenSecuritySupported on macOS/Windows). */
  platform?: { name: string; screenSecuritySupported: boolean };
  /** Vault options (tests pass low KDF parameters and a clock). */
  vault?: VaultOptions;
  version?: string;
}

type Handler<N extends CommandName> = (
  input: z.output<(typeof COMMANDS)[N]['input']>,
) => Promise<CommandOutput<N>>;
export type Handlers = { [N in CommandName]?: Handler<N> };

export interface Core {
  readonly handlers: Handlers;
  close(): Promise<void>;
}

type Emit = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/** Run `fn` with the UTF-8 bytes of a secret string, then zero them. */
async function withSecret<T>(secret: string, fn: (bytes: Buffer) => Promise<T>): Promise<T> {
  const bytes = Buffer.from(secret, 'utf8');
  try {
    return await fn(bytes);
  } finally {
    bytes.fill(0);
  }
}

const PREVIEW_LENGTH = 80;

export function toApiMessage(message: Message): ApiMessage {
  const kind: ApiMessage['kind'] =
    message.kind === 'message' ? 'text' : (message.eventType ?? 'decryption-failed');
  const status: ApiMessage['status'] =
    message.status === null
      ? message.direction === 'in'
        ? 'received'
        : 'sent'
      : message.status === 'pending'
        ? 'sending'
        : message.status === 'viewed'
          ? 'read'
          : message.status;
  return {
    id: message.id,
    conversationId: message.conversationId,
    kind,
    direction: message.direction,
    body: message.kind === 'message' ? (message.body ?? '') : '',
    sentAt: message.sentAt,
    receivedAt: message.receivedAt,
    status,
    expireTimerSeconds: message.expireTimerSeconds,
    expiresAt: message.expiresAt,
  };
}

/** Everything that exists only while the vault is unlocked. Dropped as a whole on lock. */
class Session {
  readonly messages: MessageStore;
  readonly settings: SettingsStore;
  private readonly unsubscribers: Array<() => void> = [];

  constructor(
    db: SqlDatabase,
    clock: () => number,
    private readonly emit: Emit,
  ) {
    this.messages = new MessageStore(db, { clock });
    this.settings = new SettingsStore(db);
    this.unsubscribers.push(
      this.messages.on('message.added', (m) => emit('message.added', { message: toApiMessage(m) })),
      this.messages.on('message.updated', (m) => emit('message.updated', { message: toApiMessage(m) })),
      this.messages.on('message.removed', (m) => emit('message.removed', m)),
      this.messages.on('conversation.updated', (c) =>
        emit('conversation.updated', { conversation: this.toApiConversation(c) }),
      ),
      this.settings.onChange((next) => emit('settings.changed', { settings: { ...next } })),
    );
  }

  toApiConversation(conversation: Conversation): ApiConversation {
    let preview: string | null = null;
    let lastAt: number | null = conversation.lastActivityAt;
    if (conversation.lastMessageSeq !== null) {
      const last = this.messages.page(conversation.id, { limit: 1 }).messages[0];
      if (last) {
        preview = last.kind === 'message' ? (last.body ?? '').slice(0, PREVIEW_LENGTH) : null;
        lastAt = last.receivedAt;
      }
    }
    return {
      id: conversation.id,
      title: conversation.profileName ?? conversation.e164 ?? 'Unknown contact',
      serviceId: conversation.serviceId,
      unreadCount: conversation.unreadCount,
      lastMessageAt: lastAt,
      lastMessagePreview: preview,
      expireTimerSeconds: conversation.expireTimerSeconds,
      safetyNumberChanged: conversation.safetyNumberChanged,
      verified: 'default',
      blocked: conversation.blocked,
      isRequest: conversation.isRequest,
    };
  }

  conversation(id: string): Conversation {
    const conversation = this.messages.getConversation(id);
    if (!conversation) throw new ValidationError('No such conversation.');
    return conversation;
  }

  dispose(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    this.settings.dispose();
    this.messages.discardEvents();
  }
}

export function createCore(options: CoreOptions, emit: Emit): Core {
  const clock = options.clock ?? Date.now;
  const vault = new Vault(options.profileDir, { ...(options.clock ? { clock } : {}), ...options.vault });
  const autoLock = new AutoLock(vault, { timeoutMs: DEFAULT_SETTINGS.autoLockSeconds * 1000 });
  let session: Session | undefined;

  const needSession = (): Session => {
    if (!session) throw new VaultLockedError();
    return session;
  };

  const applyAutoLock = (settings: Readonly<Settings>): void => {
    autoLock.setTimeoutMs(settings.autoLockSeconds === 0 ? null : settings.autoLockSeconds * 1000);
  };

  const openSession = (): void => {
    session?.dispose();
    session = new Session(vault.db, clock, emit);
    applyAutoLock(session.settings.get());
    autoLock.touch();
  };
  const dropSession = (): void => {
    // Drop every cache and store object derived from the unlocked vault.
    session?.dispose();
    session = undefined;
  };

  const unsubscribers: Array<() => void> = [
    // Runs before 'locked' is emitted by the vault: nothing derived from the DB survives the lock.
    vault.addLockHook(dropSession),
    vault.onLocked((reason) => {
      dropSession();
      emit('vault.locked', { reason });
    }),
    vault.onUnlocked(() => emit('vault.unlocked', {})),
  ];

  const handlers: Handlers = {
    'app.info': () =>
      Promise.resolve({
        version: options.version ?? '0.1.0',
        networkMode: options.networkConfig ? options.networkConfig.mode : 'offline',
        screenSecuritySupported: options.platform?.screenSecuritySupported ?? false,
        platform: options.platform?.name ?? process.platform,
        available: Object.keys(handlers),
      }),

    'vault.status': () =>
      Promise.resolve({ state: vault.state, insecureNoPassphrase: vault.insecureNoPassphrase }),
    'vault.create': async ({ passphrase }) => {
      await withSecret(passphrase, (bytes) => vault.create(bytes));
      openSession();
      return {};
    },
    'vault.unlock': async ({ passphrase }) => {
      if (vault.state === 'unlocked') return {};
      await withSecret(passphrase, (bytes) => vault.unlock(bytes));
      openSession();
      return {};
    },
    'vault.lock': ({ reason }) => {
      if (vault.state === 'unlocked') vault.lock(reason ?? 'user');
      dropSession();
      return Promise.resolve({});
    },
    'vault.changePassphrase': async ({ current, next }) => {
      needSession();
      await withSecret(current, (c) => withSecret(next, (n) => vault.changePassphrase(c, n)));
      return {};
    },
    'activity.touch': () => {
      needSession();
      autoLock.touch();
      return Promise.resolve({});
    },

    'settings.get': () => Promise.resolve({ ...needSession().settings.get() }),
    'settings.update': ({ patch }) => {
      const next = needSession().settings.patch(patch);
      applyAutoLock(next);
      return Promise.resolve({ ...next });
    },

    'conversations.list': () => {
      const s = needSession();
      return Promise.resolve(s.messages.listConversations().map((c) => s.toApiConversation(c)));
    },
    'conversation.open': ({ conversationId, limit }) => {
      const s = needSession();
      const conversation = s.conversation(conversationId);
      const page = s.messages.page(conversationId, { limit: limit ?? 50 });
      return Promise.resolve({
        conversation: s.toApiConversation(conversation),
        page: {
          messages: page.messages.map(toApiMessage),
          nextCursor: page.nextCursor,
          total: s.messages.countMessages(conversationId),
        },
      });
    },
    'messages.page': ({ conversationId, before, limit }) => {
      const s = needSession();
      s.conversation(conversationId);
      const page = s.messages.page(conversationId, { before: before ?? null, limit: limit ?? 50 });
      return Promise.resolve({
        messages: page.messages.map(toApiMessage),
        nextCursor: page.nextCursor,
        total: s.messages.countMessages(conversationId),
      });
    },
    'messages.markRead': ({ conversationId }) => {
      const s = needSession();
      s.conversation(conversationId);
      s.messages.markRead(conversationId);
      return Promise.resolve({});
    },
    'conversation.setDisappearingTimer': ({ conversationId, seconds }) => {
      const s = needSession();
      s.conversation(conversationId);
      const updated = s.messages.updateConversation(conversationId, { expireTimerSeconds: seconds });
      return Promise.resolve(s.toApiConversation(updated));
    },
  };

  return {
    handlers,
    close() {
      autoLock.dispose();
      if (vault.state === 'unlocked') vault.lock('shutdown');
      dropSession();
      for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
      return Promise.resolve();
    },
  };
}

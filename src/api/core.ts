/**
 * The command handlers over the core modules (vault, settings, account, signal, messaging). Only
 * src/api/service.ts uses this; handlers receive inputs already parsed by the contract's zod schemas.
 *
 * Everything derived from the unlocked vault (stores, the messaging client, pending registration,
 * caches) lives in one `Session` object that is created on unlock and dropped as a whole on lock.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  DEFAULT_SETTINGS,
  type AccountStatus,
  type COMMANDS,
  type CommandName,
  type CommandOutput,
  type Conversation as ApiConversation,
  type EventName,
  type EventPayload,
  type Attachment as ApiAttachment,
  type AttachmentBytes as ApiAttachmentBytes,
  type Message as ApiMessage,
  type SafetyNumber as ApiSafetyNumber,
  type Settings,
} from './contract.js';
import {
  CarapaceError,
  ConfirmationRequiredError,
  NotAvailableError,
  NotRegisteredError,
  RegistrationLockedError,
  ValidationError,
  VaultLockedError,
  VerificationCodeError,
  WeakPinError,
  WrongPinError,
} from '../errors.js';
import { errorFields, log } from '../log.js';
import type { SqlDatabase } from '../vault/sql.js';
import { AutoLock, Vault, type VaultOptions } from '../vault/index.js';
import { MessageStore, type Conversation, type Message } from '../messaging/store.js';
import { MessagingClient, purgeExpiredMessages, type AccountCredentials } from '../messaging/client.js';
import type { AttachmentInfo } from '../messaging/attachments/records.js';
import type { AttachmentBytes as AttachmentBytesRaw } from '../messaging/attachments/service.js';
import { SettingsStore } from '../settings/store.js';
import { applyRecommended, auditSettings } from '../settings/audit.js';
import { AccountKv } from '../account/account-kv.js';
import { readAccountSecurityFacts } from '../account/pin-service.js';
import { collectAccountData } from '../account/account-backup.js';
import {
  enablePinAndRegistrationLock,
  registerWithRecovery,
  setRegistrationLock,
  type AccountLogin,
  type PinPrompt,
  type RecoveryRegistrationResult,
} from '../account/recovery-flow.js';
import { checkPin, generateStrongPin } from '../account/pin-policy.js';
import { PinReminder } from '../account/pin-reminder.js';
import type { RegisteredAccount } from '../account/registration.js';
import { SignalProtocolStores, VerifiedStatus } from '../signal/stores.js';
import { markUnverified, markVerified, safetyNumberFor, type SafetyNumber } from '../signal/safety-number.js';
import { openerForRoute, type RouteConfig } from '../net/route.js';
import type { ClientConfig } from '../net/config.js';

export interface CoreOptions {
  profileDir: string;
  /** The Signal service to talk to; absent = offline (no registration, no messaging). */
  networkConfig?: ClientConfig;
  clock?: () => number;
  /** Platform facts the UI shows (the Electron shell sets screenSecuritySupported on macOS/Windows). */
  platform?: { name: string; screenSecuritySupported: boolean };
  /** Vault options (tests pass low KDF parameters). */
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
const ACCOUNT_KEY = 'api.account';
const PROFILE_KEY = 'api.profileKey';
const StoredAccount = z.object({
  aci: z.string(),
  pni: z.string(),
  deviceId: z.number().int(),
  password: z.string(),
  number: z.string(),
});
type StoredAccount = z.infer<typeof StoredAccount>;

/** What the contract shows of an attachment record (no key, no pointer, no file id). */
export function toApiAttachment(info: AttachmentInfo): ApiAttachment {
  return {
    id: info.id,
    state: info.state,
    contentType: info.contentType ?? null,
    fileName: info.fileName ?? null,
    size: info.size ?? null,
    width: info.width ?? null,
    height: info.height ?? null,
    inlineImage: info.inlineImage,
    hasThumbnail: info.hasThumbnail,
    potentiallyExecutable: info.potentiallyExecutable,
    failure: info.failure ?? null,
  };
}

export function toApiMessage(
  message: Message,
  attachmentInfo: (id: string) => AttachmentInfo | undefined = () => undefined,
): ApiMessage {
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
    attachments: message.attachmentIds.flatMap((id) => {
      // A viewed view-once (or expired) attachment is gone: only the message's marker remains.
      const info = attachmentInfo(id);
      return info ? [toApiAttachment(info)] : [];
    }),
    viewOnce: message.viewOnce,
    viewed: message.viewed,
  };
}

function toBytes(item: AttachmentBytesRaw): ApiAttachmentBytes {
  try {
    return {
      dataBase64: item.bytes.toString('base64'),
      blobType: item.blobType,
      inlineImage: item.inlineImage,
    };
  } finally {
    item.bytes.fill(0);
  }
}

function routeFor(settings: Readonly<Settings>): RouteConfig {
  const proxy = settings.proxy;
  if (proxy.mode === 'socks5') {
    return {
      mode: 'socks5',
      host: proxy.host,
      port: proxy.port,
      ...(proxy.username !== undefined ? { username: proxy.username } : {}),
      ...(proxy.password !== undefined ? { password: proxy.password } : {}),
    };
  }
  return proxy.mode === 'tor' ? { mode: 'tor' } : { mode: 'direct' };
}

function verifiedState(status: VerifiedStatus | undefined): ApiConversation['verified'] {
  if (status === VerifiedStatus.Verified) return 'verified';
  if (status === VerifiedStatus.Unverified) return 'unverified';
  return 'default';
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * A registration in progress: registerWithRecovery runs in the background and asks us for the code and,
 * when the number has a registration lock (423), for the PIN.
 */
interface PendingRegistration {
  readonly id: string;
  readonly e164: string;
  codeRequested: Deferred<number>;
  code?: Deferred<string>;
  pinRequested: Deferred<PinPrompt>;
  pin?: Deferred<string | null> | undefined;
  result?: Promise<RecoveryRegistrationResult>;
}

/** The error the UI gets while registration waits for the PIN (tries left after a wrong one). */
function pinNeeded(prompt: PinPrompt): CarapaceError {
  return prompt.triesRemaining !== undefined
    ? new WrongPinError(prompt.triesRemaining)
    : new RegistrationLockedError(prompt.timeRemainingMs);
}

/** Everything that exists only while the vault is unlocked. Dropped as a whole on lock. */
class Session {
  readonly messages: MessageStore;
  readonly settings: SettingsStore;
  readonly kv: AccountKv;
  client: MessagingClient | undefined;
  registration: PendingRegistration | undefined;
  /** The safety number last shown per contact: "mark verified" verifies exactly that key. */
  readonly shownSafetyNumbers = new Map<string, SafetyNumber>();
  private ownStores: SignalProtocolStores | undefined;
  private readonly unsubscribers: Array<() => void> = [];
  private clientUnsubscribers: Array<() => void> = [];
  private disposed = false;

  constructor(
    private readonly vault: Vault,
    private readonly db: SqlDatabase,
    private readonly clock: () => number,
    private readonly config: ClientConfig | undefined,
    private readonly emit: Emit,
  ) {
    this.messages = new MessageStore(db, { clock });
    this.settings = new SettingsStore(db);
    this.kv = new AccountKv(db);
    this.subscribeStore(this.messages);
    this.unsubscribers.push(
      this.settings.onChange((next) => this.emit('settings.changed', { settings: { ...next } })),
    );
  }

  /**
   * Store events → API events (the client's store and ours are separate objects on one DB). For the
   * client, its own emitter: it re-emits its store's events and adds message.updated after downloads.
   */
  private subscribeStore(
    store: Pick<MessageStore, 'on'> | Pick<MessagingClient, 'on'>,
    into: Array<() => void> = this.unsubscribers,
  ): void {
    const on: MessageStore['on'] = (name, listener) => (store as Pick<MessageStore, 'on'>).on(name, listener);
    into.push(
      on('message.added', (m) => this.onMessageAdded(m)),
      on('message.updated', (m) => this.emit('message.updated', { message: this.apiMessage(m) })),
      on('message.removed', (m) => this.emit('message.removed', m)),
      on('conversation.updated', (c) =>
        this.emit('conversation.updated', { conversation: this.toApiConversation(c) }),
      ),
    );
  }

  private onMessageAdded(message: Message): void {
    this.emit('message.added', { message: this.apiMessage(message) });
    if (message.kind === 'event' && message.eventType === 'identity-changed') {
      this.emit('identity.changed', { conversationId: message.conversationId });
    }
    if (message.kind === 'message' && message.direction === 'in') {
      // In-app notification, with the user's notification privacy applied here in the core.
      const privacy = this.settings.get().notificationPrivacy;
      const conversation = this.messages.getConversation(message.conversationId);
      const name = conversation ? this.title(conversation) : 'Someone';
      if (privacy === 'name-and-message') {
        this.emit('toast', {
          kind: 'message',
          title: name,
          body: (message.body ?? '').slice(0, PREVIEW_LENGTH),
          conversationId: message.conversationId,
        });
      } else if (privacy === 'name-only') {
        this.emit('toast', {
          kind: 'message',
          title: name,
          body: 'New message',
          conversationId: message.conversationId,
        });
      } else {
        this.emit('toast', { kind: 'message', title: 'New message' });
      }
    }
  }

  /** A message for the UI, with what is known about its attachments. */
  apiMessage(message: Message): ApiMessage {
    return toApiMessage(message, (id) => {
      try {
        return this.client?.attachmentInfo(id);
      } catch {
        return undefined;
      }
    });
  }

  get account(): StoredAccount | undefined {
    return this.kv.getJson(ACCOUNT_KEY, StoredAccount);
  }

  /** libsignal stores: the running client's, or our own (e.g. before the client connects). */
  get signalStores(): SignalProtocolStores {
    if (this.client) return this.client.stores;
    this.ownStores ??= new SignalProtocolStores(this.db);
    return this.ownStores;
  }

  title(conversation: Conversation): string {
    return conversation.profileName ?? conversation.e164 ?? 'Unknown contact';
  }

  toApiConversation(conversation: Conversation): ApiConversation {
    let preview: string | null = null;
    let lastAt: number | null = conversation.lastActivityAt;
    if (conversation.lastMessageSeq !== null) {
      const last = this.messages.page(conversation.id, { limit: 1 }).messages[0];
      if (last) {
        preview =
          last.kind === 'message'
            ? (last.body ?? (last.attachmentIds.length > 0 ? 'Attachment' : '')).slice(0, PREVIEW_LENGTH)
            : null;
        lastAt = last.receivedAt;
      }
    }
    let verified: ApiConversation['verified'] = 'default';
    if (this.account) {
      try {
        verified = verifiedState(
          this.signalStores.aci.identity.getRemoteIdentity(conversation.serviceId)?.verified,
        );
      } catch {
        verified = 'default';
      }
    }
    return {
      id: conversation.id,
      title: this.title(conversation),
      serviceId: conversation.serviceId,
      unreadCount: conversation.unreadCount,
      lastMessageAt: lastAt,
      lastMessagePreview: preview,
      expireTimerSeconds: conversation.expireTimerSeconds,
      safetyNumberChanged: conversation.safetyNumberChanged,
      verified,
      blocked: conversation.blocked,
      isRequest: conversation.isRequest,
      isContact: conversation.isContact,
    };
  }

  conversation(id: string): Conversation {
    const conversation = this.messages.getConversation(id);
    if (!conversation) throw new ValidationError('No such conversation.');
    return conversation;
  }

  needClient(): MessagingClient {
    if (!this.account) throw new NotRegisteredError('Register this device before sending messages.');
    if (!this.client) throw new NotAvailableError('The connection to the Signal service');
    return this.client;
  }

  accountStatus(noPassphraseMode: boolean): AccountStatus {
    void noPassphraseMode;
    const account = this.account;
    const facts = readAccountSecurityFacts(this.kv);
    return {
      registered: account !== undefined,
      e164: account?.number ?? null,
      aci: account?.aci ?? null,
      deviceId: account?.deviceId ?? null,
      pinSet: facts.pinSet,
      pinStrengthBits: facts.pinStrengthBits ?? null,
      registrationLock: facts.registrationLock,
    };
  }

  /** Client start/stop run one at a time (a quick series of proxy changes must not race). */
  private clientOp: Promise<void> = Promise.resolve();
  private serialize(op: () => Promise<void>): Promise<void> {
    this.clientOp = this.clientOp.then(op, op);
    return this.clientOp;
  }

  /** Connects the messaging client for a registered account (in the background; errors → status). */
  startClient(): Promise<void> {
    return this.serialize(() => this.startClientNow());
  }

  private async startClientNow(): Promise<void> {
    const account = this.account;
    if (!account || !this.config || this.client || this.disposed) return;
    const credentials: AccountCredentials = {
      aci: account.aci,
      pni: account.pni,
      deviceId: account.deviceId,
      password: account.password,
    };
    this.emit('network.status', { status: 'connecting' });
    try {
      const client = await MessagingClient.start({
        vault: this.vault,
        config: this.config,
        credentials,
        openSocket: openerForRoute(routeFor(this.settings.get())),
        blockUnknownSenders: () => this.settings.get().blockUnknownSenders,
        defaultExpireTimer: () => this.settings.get().disappearingDefaultSeconds || null,
        ownProfileKey: () => this.kv.getBlob(PROFILE_KEY) ?? null,
        saveOwnProfileKey: (profileKey) => this.kv.setBlob(PROFILE_KEY, profileKey),
      });
      if (this.disposed) {
        await client.stop();
        return;
      }
      this.client = client;
      this.ownStores?.dispose();
      this.ownStores = undefined;
      this.subscribeStore(client, this.clientUnsubscribers);
      this.clientUnsubscribers.push(
        client.on('connection.state', ({ connected }) =>
          this.emit('network.status', { status: connected ? 'online' : 'connecting' }),
        ),
        client.on('typing', ({ conversationId, started }) =>
          this.emit('typing', { conversationId, started }),
        ),
        client.on('attachment.progress', (event) => this.emit('attachment.progress', { ...event })),
        client.on('conversation.removed', ({ id }) => {
          this.shownSafetyNumbers.delete(id);
          this.emit('conversation.removed', { conversationId: id });
        }),
      );
      this.emit('network.status', { status: 'online' });
    } catch (error) {
      const code = error instanceof CarapaceError ? error.code : 'INTERNAL';
      log.warn('api.messaging.start_failed', errorFields(error));
      this.emit('network.status', {
        status: code === 'PROXY_UNAVAILABLE' || code === 'PROXY_AUTH_FAILED' ? 'proxy-error' : 'offline',
        detail: code,
      });
    }
  }

  /** The route changed (proxy / Tor setting): tear the connection down and reconnect through it. */
  restartClient(): Promise<void> {
    return this.serialize(() => this.restartClientNow());
  }

  private async restartClientNow(): Promise<void> {
    if (!this.account) return;
    const client = this.client;
    this.client = undefined;
    for (const unsubscribe of this.clientUnsubscribers.splice(0)) unsubscribe();
    this.emit('network.status', { status: 'offline', detail: 'route-changed' });
    await client?.stop().catch((error: unknown) => log.warn('api.messaging.stop_failed', errorFields(error)));
    await this.startClientNow();
  }

  /** The chat login of the registered account (for the PIN / registration-lock requests). */
  login(): AccountLogin {
    const account = this.account;
    if (!account) throw new NotRegisteredError('Register this device before setting a PIN.');
    return { aci: account.aci, deviceId: account.deviceId, password: account.password };
  }

  /** Where account requests go: the configured service, through the current route (proxy / Tor). */
  endpoint(): { config: ClientConfig; openSocket: ReturnType<typeof openerForRoute> } {
    if (!this.config) throw new NotAvailableError('The Signal service (none is configured)');
    return { config: this.config, openSocket: openerForRoute(routeFor(this.settings.get())) };
  }

  /**
   * Vault writes that must not land inside the receiver's open transaction (it may roll back): run them
   * under the client's write lock when a client is running.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.client ? this.client.runExclusive(fn) : fn();
  }

  saveAccount(registered: RegisteredAccount): void {
    this.kv.setJson(ACCOUNT_KEY, {
      aci: registered.aci,
      pni: registered.pni,
      deviceId: registered.deviceId,
      password: registered.password,
      number: registered.number,
    } satisfies StoredAccount);
    this.kv.setBlob(PROFILE_KEY, registered.profileKey);
  }

  dispose(): void {
    this.disposed = true;
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    for (const unsubscribe of this.clientUnsubscribers.splice(0)) unsubscribe();
    this.settings.dispose();
    this.messages.discardEvents();
    this.shownSafetyNumbers.clear();
    this.registration = undefined;
    const client = this.client;
    this.client = undefined;
    if (client) void client.stop().catch(() => undefined);
    this.ownStores?.dispose();
    this.ownStores = undefined;
  }
}

export function createCore(options: CoreOptions, emit: Emit): Core {
  const clock = options.clock ?? Date.now;
  const vault = new Vault(options.profileDir, { ...(options.clock ? { clock } : {}), ...options.vault });
  const autoLock = new AutoLock(vault, { timeoutMs: DEFAULT_SETTINGS.autoLockSeconds * 1000 });
  const config = options.networkConfig;
  let session: Session | undefined;

  const needSession = (): Session => {
    if (!session) throw new VaultLockedError();
    return session;
  };
  const needConfig = (): ClientConfig => {
    if (!config) throw new NotAvailableError('Registration (no Signal service is configured)');
    return config;
  };

  const applyAutoLock = (settings: Readonly<Settings>): void => {
    autoLock.setTimeoutMs(settings.autoLockSeconds === 0 ? null : settings.autoLockSeconds * 1000);
  };

  const openSession = (): void => {
    session?.dispose();
    // What expired while the vault was closed or locked goes before anything can be displayed.
    try {
      purgeExpiredMessages(vault, clock());
    } catch (error) {
      log.warn('api.purge_expired_failed', errorFields(error));
    }
    session = new Session(vault, vault.db, clock, config, emit);
    applyAutoLock(session.settings.get());
    autoLock.touch();
    void session.startClient();
  };
  const dropSession = (): void => {
    // Drop every cache, store object and client derived from the unlocked vault.
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

  const auditReport = (s: Session) => ({
    items: auditSettings(s.settings.get(), {
      ...readAccountSecurityFacts(s.kv),
      noPassphraseMode: vault.insecureNoPassphrase,
    }).map((item) => ({
      id: item.id,
      title: item.title,
      status: item.status,
      advice: item.advice,
      autoFixable: item.recommendedPatch !== undefined,
    })),
  });

  const safetyNumber = (s: Session, conversationId: string): ApiSafetyNumber => {
    const conversation = s.conversation(conversationId);
    if (!s.account) throw new NotRegisteredError('Register this device to see safety numbers.');
    const number = safetyNumberFor(s.signalStores, conversation.serviceId);
    s.shownSafetyNumbers.set(conversationId, number);
    const identity = s.signalStores.aci.identity.getRemoteIdentity(conversation.serviceId);
    return {
      conversationId,
      digits: number.digits,
      groups: [...number.groups],
      qrPayloadBase64: Buffer.from(number.qrPayload).toString('base64'),
      verified: verifiedState(identity?.verified),
      changed: conversation.safetyNumberChanged,
    };
  };

  /**
   * Waits for the background registration's next move: done (account saved, client started), the code
   * asked again (WRONG_VERIFICATION_CODE), or the PIN asked ('pin'). Other failures end the registration.
   */
  const advanceRegistration = async (
    s: Session,
    pending: PendingRegistration,
  ): Promise<AccountStatus | 'pin'> => {
    let outcome: { done: RecoveryRegistrationResult } | { again: true } | { pin: true };
    try {
      outcome = await Promise.race([
        pending.result!.then((done) => ({ done })),
        pending.codeRequested.promise.then(() => ({ again: true as const })),
        pending.pinRequested.promise.then(() => ({ pin: true as const })),
      ]);
    } catch (error) {
      if (s.registration === pending) s.registration = undefined;
      throw error;
    }
    if ('again' in outcome) throw new VerificationCodeError();
    if ('pin' in outcome) return 'pin';
    if (s.registration === pending) s.registration = undefined;
    const registered = outcome.done.account;
    s.saveAccount(registered);
    log.info('api.account.registered', {
      deviceId: registered.deviceId,
      recovered: outcome.done.recovered,
      accountData: outcome.done.accountData !== undefined,
    });
    void s.startClient();
    return s.accountStatus(vault.insecureNoPassphrase);
  };

  /** Hands the PIN to the waiting registration; a wrong one → WRONG_PIN with the tries left. */
  const answerPin = async (s: Session, pending: PendingRegistration, pin: string): Promise<AccountStatus> => {
    const waiting = pending.pin;
    if (!waiting) throw new ValidationError('Start the registration again.');
    pending.pin = undefined;
    pending.pinRequested = deferred();
    waiting.resolve(pin);
    const status = await advanceRegistration(s, pending);
    if (status !== 'pin') return status;
    throw pinNeeded(await pending.pinRequested.promise);
  };

  const handlers: Handlers = {
    'app.info': () =>
      Promise.resolve({
        version: options.version ?? '0.1.0',
        networkMode: config ? config.mode : 'offline',
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
      const s = needSession();
      const before = JSON.stringify(s.settings.get().proxy);
      const next = s.settings.patch(patch);
      applyAutoLock(next);
      // Every connection must follow the new route at once (never keep a direct socket after Tor is set).
      if (JSON.stringify(next.proxy) !== before) void s.restartClient();
      return Promise.resolve({ ...next });
    },

    'account.status': () => Promise.resolve(needSession().accountStatus(vault.insecureNoPassphrase)),
    'account.startRegistration': ({ e164 }) => {
      const s = needSession();
      needConfig();
      if (s.account) throw new ValidationError('This device is already registered.');
      const id = randomUUID();
      s.registration = { id, e164, codeRequested: deferred(), pinRequested: deferred() };
      return Promise.resolve({ sessionId: id, next: 'captcha' as const });
    },
    'account.submitCaptcha': async ({ sessionId, captcha }) => {
      const s = needSession();
      const cfg = needConfig();
      const pending = s.registration;
      if (!pending || pending.id !== sessionId || pending.result) {
        throw new ValidationError('Start the registration again.');
      }
      pending.result = registerWithRecovery({
        config: cfg,
        openSocket: openerForRoute(routeFor(s.settings.get())),
        stores: s.signalStores,
        kv: s.kv,
        settings: s.settings,
        messages: s.messages,
        number: pending.e164,
        captcha,
        maxCodeAttempts: 5,
        getVerificationCode: (attempt) => {
          pending.code = deferred();
          pending.codeRequested.resolve(attempt);
          return pending.code.promise;
        },
        // 423: the number has a registration lock. The UI asks the user; each answer comes back here.
        askPin: (prompt) => {
          pending.pin = deferred();
          pending.pinRequested.resolve(prompt);
          return pending.pin.promise;
        },
      });
      // Never an unhandled rejection: every caller below races on this promise.
      pending.result.catch(() => undefined);
      // Either the server asks for the code, or the flow fails before that (bad captcha, network…).
      const outcome = await Promise.race([
        pending.codeRequested.promise.then(() => 'code' as const),
        pending.result.then(() => 'done' as const),
      ]).catch((error: unknown) => {
        s.registration = undefined;
        throw error;
      });
      return { sessionId, next: outcome };
    },
    'account.submitCode': async ({ sessionId, code, pin }) => {
      const s = needSession();
      const pending = s.registration;
      if (!pending?.result || pending.id !== sessionId || !pending.code) {
        throw new ValidationError('Start the registration again.');
      }
      // Already past the code and waiting for the PIN: this is the PIN answer.
      if (pending.pin && pin !== undefined) return answerPin(s, pending, pin);
      // A wrong code makes the flow ask again: that is WRONG_VERIFICATION_CODE for the UI.
      pending.codeRequested = deferred();
      pending.code.resolve(code);
      const status = await advanceRegistration(s, pending);
      if (status !== 'pin') return status;
      // The number is locked; a PIN given with the code answers at once.
      if (pin !== undefined) return answerPin(s, pending, pin);
      throw pinNeeded(await pending.pinRequested.promise);
    },
    'account.submitPin': ({ sessionId, pin }) => {
      const s = needSession();
      const pending = s.registration;
      if (!pending?.result || pending.id !== sessionId || !pending.pin) {
        throw new ValidationError('Start the registration again.');
      }
      return answerPin(s, pending, pin);
    },

    'conversations.list': () => {
      const s = needSession();
      return Promise.resolve(s.messages.listConversations().map((c) => s.toApiConversation(c)));
    },
    'conversations.start': (input) => {
      const s = needSession();
      if (!('serviceId' in input)) {
        throw new NotAvailableError('Finding contacts by phone number (use their Signal ID)');
      }
      const serviceId = input.serviceId.toLowerCase();
      const conversation =
        s.messages.findConversationByServiceId(serviceId) ??
        s.messages.getOrCreateConversation(serviceId, {
          isContact: true,
          acceptedAt: clock(),
          ...(input.name ? { profileName: input.name } : {}),
        });
      return Promise.resolve(s.toApiConversation(conversation));
    },
    'conversations.removeContact': async ({ conversationId, deleteHistory }) => {
      const s = needSession();
      s.conversation(conversationId);
      // Needs the connection: the rotated profile key must reach the server (else they could still read it).
      const client = s.needClient();
      await client.removeContact(conversationId, { deleteConversation: deleteHistory });
      log.info('api.contact_removed', { deleteHistory });
      const remaining = s.messages.getConversation(conversationId);
      return { conversation: remaining ? s.toApiConversation(remaining) : null };
    },
    'conversation.open': ({ conversationId, limit }) => {
      const s = needSession();
      const conversation = s.conversation(conversationId);
      const page = s.messages.page(conversationId, { limit: limit ?? 50 });
      return Promise.resolve({
        conversation: s.toApiConversation(conversation),
        page: {
          messages: page.messages.map((m) => s.apiMessage(m)),
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
        messages: page.messages.map((m) => s.apiMessage(m)),
        nextCursor: page.nextCursor,
        total: s.messages.countMessages(conversationId),
      });
    },
    'messages.send': async ({ conversationId, body }) => {
      const s = needSession();
      s.conversation(conversationId);
      const message = await s.needClient().sendText(conversationId, body);
      return s.apiMessage(message);
    },
    'attachments.send': async ({ conversationId, files, body, viewOnce }) => {
      const s = needSession();
      s.conversation(conversationId);
      const client = s.needClient();
      const decoded = files.map((f) => ({
        bytes: Buffer.from(f.dataBase64, 'base64'),
        ...(f.fileName !== undefined ? { fileName: f.fileName } : {}),
      }));
      try {
        const message = await client.sendAttachments(conversationId, decoded, body || undefined, {
          ...(viewOnce ? { viewOnce: true } : {}),
        });
        return s.apiMessage(message);
      } finally {
        for (const file of decoded) file.bytes.fill(0);
      }
    },
    'attachments.read': ({ attachmentId, which }) => {
      const client = needSession().needClient();
      return Promise.resolve(toBytes(client.readAttachment(attachmentId, which ?? 'full')));
    },
    'attachments.save': ({ attachmentId, confirmExecutable }) => {
      const client = needSession().needClient();
      const info = client.attachmentInfo(attachmentId);
      if (!info) throw new ValidationError('No such attachment.');
      if (info.potentiallyExecutable && !confirmExecutable) {
        throw new ConfirmationRequiredError('This file could run code on your computer if opened.');
      }
      const { dataBase64 } = toBytes(client.readAttachment(attachmentId, 'full'));
      return Promise.resolve({
        dataBase64,
        fileName: info.fileName ?? 'attachment',
        blobType: 'application/octet-stream' as const,
      });
    },
    'messages.viewOnce': async ({ messageId }) => {
      const client = needSession().needClient();
      const items = await client.viewOnce(messageId);
      return { items: items.map(toBytes) };
    },
    'messages.markRead': async ({ conversationId }) => {
      const s = needSession();
      s.conversation(conversationId);
      // With a client, read receipts go out too (never for held message requests).
      if (s.client) await s.client.markRead(conversationId);
      else s.messages.markRead(conversationId);
      return {};
    },
    'conversation.setDisappearingTimer': async ({ conversationId, seconds }) => {
      const s = needSession();
      s.conversation(conversationId);
      const updated = s.client
        ? await s.client.setExpireTimer(conversationId, seconds)
        : s.messages.updateConversation(conversationId, { expireTimerSeconds: seconds });
      return s.toApiConversation(updated);
    },
    'conversation.acceptRequest': async ({ conversationId }) => {
      const s = needSession();
      s.conversation(conversationId);
      const updated = s.client
        ? await s.client.acceptRequest(conversationId)
        : s.messages.updateConversation(conversationId, {
            isRequest: false,
            isContact: true,
            acceptedAt: clock(),
          });
      return s.toApiConversation(updated);
    },
    'conversation.setBlocked': ({ conversationId, blocked }) => {
      const s = needSession();
      s.conversation(conversationId);
      return Promise.resolve(s.toApiConversation(s.messages.updateConversation(conversationId, { blocked })));
    },
    'conversation.confirmIdentity': async ({ conversationId }) => {
      const s = needSession();
      s.conversation(conversationId);
      const updated = await s.needClient().confirmIdentity(conversationId);
      return s.toApiConversation(updated);
    },

    'safetyNumber.get': ({ conversationId }) => Promise.resolve(safetyNumber(needSession(), conversationId)),
    'safetyNumber.setVerified': ({ conversationId, verified }) => {
      const s = needSession();
      const conversation = s.conversation(conversationId);
      if (verified) {
        const shown = s.shownSafetyNumbers.get(conversationId);
        if (!shown) throw new ValidationError('Open the safety number before marking it verified.');
        if (!markVerified(s.signalStores, conversation.serviceId, shown)) {
          throw new ValidationError('The safety number changed while it was shown. Compare it again.');
        }
        if (conversation.safetyNumberChanged) {
          s.messages.updateConversation(conversationId, { safetyNumberChanged: false });
        }
      } else {
        markUnverified(s.signalStores, conversation.serviceId);
      }
      return Promise.resolve(safetyNumber(s, conversationId));
    },

    'pin.check': ({ pin }) => {
      const check = checkPin(pin);
      return Promise.resolve({ verdict: check.verdict, bits: check.bits, reasons: [...check.reasons] });
    },
    'pin.generate': () => Promise.resolve({ pin: generateStrongPin() }),
    'pin.set': async ({ pin, acceptWeak }) => {
      const s = needSession();
      // The policy first, locally: a refused or unconfirmed weak PIN never reaches the network.
      const check = checkPin(pin);
      if (check.verdict === 'refused' || (check.verdict === 'weak-needs-confirmation' && !acceptWeak)) {
        throw new WeakPinError(check.reasons.join(' '));
      }
      const login = s.login();
      await s.exclusive(() =>
        enablePinAndRegistrationLock({
          ...s.endpoint(),
          login,
          kv: s.kv,
          pin,
          ...(acceptWeak ? { acceptWeak: true } : {}),
          // Changing the PIN keeps the master key, so an enabled lock stays valid; never turned on here.
          registrationLock: readAccountSecurityFacts(s.kv).registrationLock,
          // The identity keys, contacts and settings, encrypted under the PIN-protected master key: what
          // a re-registration with the PIN restores (never messages).
          accountData: collectAccountData({
            stores: s.signalStores,
            profile: { givenName: '' },
            settings: s.settings,
            messages: s.messages,
          }),
          now: clock,
        }),
      );
      return s.accountStatus(vault.insecureNoPassphrase);
    },
    'registrationLock.set': async ({ enabled }) => {
      const s = needSession();
      const login = s.login();
      await s.exclusive(() => setRegistrationLock({ ...s.endpoint(), login, kv: s.kv, enabled }));
      return s.accountStatus(vault.insecureNoPassphrase);
    },
    'pin.reminderStatus': () => {
      const status = new PinReminder(needSession().kv, { now: clock }).status();
      return Promise.resolve({
        pinSet: status.pinSet,
        remindersEnabled: status.remindersEnabled,
        due: status.due,
        nextDueAt: status.nextDueAt ?? null,
        intervalMs: status.intervalMs ?? null,
      });
    },
    'pin.answerReminder': async ({ pin }) => {
      const s = needSession();
      const answer = await s.exclusive(() =>
        Promise.resolve(new PinReminder(s.kv, { now: clock }).answer(pin)),
      );
      return { ...answer };
    },
    'typing.send': async ({ conversationId, started }) => {
      const s = needSession();
      const conversation = s.conversation(conversationId);
      // Never for held requests or blocked contacts: typing would reveal we read their message.
      if (conversation.isRequest || conversation.blocked) return {};
      await s.needClient().sendTyping(conversationId, started);
      return {};
    },

    'audit.get': () => Promise.resolve(auditReport(needSession())),
    'audit.applyRecommended': () => {
      const s = needSession();
      const next = s.settings.replace(applyRecommended({ ...s.settings.get() }));
      applyAutoLock(next);
      return Promise.resolve(auditReport(s));
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

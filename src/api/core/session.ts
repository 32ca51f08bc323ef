/**
 * Everything that exists only while the vault is unlocked — the stores over its database, the network
 * route and the messaging connection, a registration in progress, the safety numbers last shown — in one
 * object created on unlock and dropped as a whole on lock.
 */
import {
  settingsView,
  type AccountStatus,
  type Conversation as ApiConversation,
  type Message as ApiMessage,
  type Settings,
} from '../contract.js';
import { NotAvailableError, NotFoundError, NotRegisteredError, ProxyUnavailableError } from '../../errors.js';
import { errorFields, log } from '../../log.js';
import { AccountKv } from '../../account/account-kv.js';
import { ContactUsernames } from '../../account/contact-usernames.js';
import { readAccountSecurityFacts } from '../../account/pin-service.js';
import type { AccountLogin } from '../../account/recovery-flow.js';
import type { RegisteredAccount } from '../../account/registration.js';
import { GroupStore, groupIdOfConversation } from '../../groups/group-store.js';
import { MemberProfiles } from '../../groups/member-profiles.js';
import { MessageStore, type Conversation, type Message } from '../../messaging/store.js';
import type { MessagingClient } from '../../messaging/client.js';
import type { ClientConfig } from '../../net/config.js';
import { NetworkRouteManager, type OpenerOptions } from '../../net/route.js';
import type { SocketOpener } from '../../net/socket-opener.js';
import { SettingsStore } from '../../settings/store.js';
import type { SafetyNumber } from '../../signal/safety-number.js';
import { SignalProtocolStores } from '../../signal/stores/index.js';
import type { Vault } from '../../vault/index.js';
import { loginOf, readAccount, saveAccount, type StoredAccount } from './account-record.js';
import type { Emit } from './context.js';
import { toConversationGroup } from './group-view.js';
import { conversationTitle, toApiConversation, toApiMessage, verifiedState } from './mappers.js';
import { MessagingConnection } from './messaging-connection.js';
import type { PendingRegistration } from './registration.js';
import { forwardStoreEvents } from './store-events.js';
import { watchContactProfiles } from './contact-profile-watch.js';
import { watchMemberProfiles } from './member-profile-watch.js';

export class Session {
  readonly messages: MessageStore;
  readonly settings: SettingsStore;
  readonly kv: AccountKv;
  /** The usernames contacts were found by: a chat's title until their profile name is known. */
  readonly contactUsernames: ContactUsernames;
  /** Groups v2 as stored (their state is written by the messaging client's groups). */
  readonly groups: GroupStore;
  /** Group members' names, read with the profile keys their groups' states hold. */
  readonly memberProfiles: MemberProfiles;
  /**
   * Every connection of this session (messaging, registration, PIN backup, attachments) opens through it.
   * The settings' proxy schema is the route's schema (src/net/route.ts), so a saved setting is a usable route.
   */
  readonly #routes: NetworkRouteManager;
  /** The route's opener, refusing while the stored proxy setting is unreadable (never a direct fallback). */
  readonly #openSocket: SocketOpener = (target, signal) =>
    this.settings.proxyUnreadable
      ? Promise.reject(
          new ProxyUnavailableError(
            'The saved proxy setting could not be read. Set the proxy again in Settings; Carapace will not connect directly.',
          ),
        )
      : this.#routes.opener(target, signal);
  readonly connection: MessagingConnection;
  registration: PendingRegistration | undefined;
  /** The safety number last shown per contact: "mark verified" verifies exactly that key. */
  readonly shownSafetyNumbers = new Map<string, SafetyNumber>();
  #ownStores: SignalProtocolStores | undefined;
  readonly #unsubscribers: Array<() => void> = [];

  constructor(
    private readonly vault: Vault,
    private readonly config: ClientConfig | undefined,
    clock: () => number,
    emit: Emit,
    routeOptions: OpenerOptions = {},
  ) {
    const db = vault.db;
    this.messages = new MessageStore(db, { clock });
    this.settings = new SettingsStore(db);
    this.kv = new AccountKv(db);
    this.groups = new GroupStore(db, clock);
    this.memberProfiles = new MemberProfiles(this.kv);
    this.contactUsernames = new ContactUsernames(this.kv, (id) => !!this.messages.getConversation(id));
    this.#routes = new NetworkRouteManager(this.settings.get().proxy, routeOptions);
    this.connection = new MessagingConnection({
      vault,
      config,
      settings: this.settings,
      kv: this.kv,
      openSocket: this.#openSocket,
      emit,
      subscribe: (client) => {
        // The client's stores replace ours (one set of libsignal store objects per connection).
        this.#ownStores?.dispose();
        this.#ownStores = undefined;
        return [
          ...forwardStoreEvents(client, this, emit),
          ...watchContactProfiles(client, this.kv, clock),
          ...watchMemberProfiles(client, this.memberProfiles, this.groups, this.account?.aci ?? '', clock),
          client.on('typing', ({ conversationId, started }) => emit('typing', { conversationId, started })),
          client.on('attachment.progress', (event) => emit('attachment.progress', { ...event })),
          client.on('conversation.removed', ({ id }) => {
            this.shownSafetyNumbers.delete(id);
            emit('conversation.removed', { conversationId: id });
          }),
        ];
      },
    });
    this.#unsubscribers.push(
      ...forwardStoreEvents(this.messages, this, emit),
      // The UI's view: the proxy password never leaves the core.
      this.settings.onChange((next) => emit('settings.changed', { settings: settingsView(next) })),
    );
  }

  get account(): StoredAccount | undefined {
    return readAccount(this.kv);
  }

  get client(): MessagingClient | undefined {
    return this.connection.client;
  }

  /** libsignal stores: the running client's, or our own (e.g. before the client connects). */
  get signalStores(): SignalProtocolStores {
    const client = this.client;
    if (client) return client.stores;
    this.#ownStores ??= new SignalProtocolStores(this.vault.db);
    return this.#ownStores;
  }

  /** A message for the UI, with what is known about its attachments (and its author, in a group). */
  apiMessage(message: Message): ApiMessage {
    const chat = this.messages.getConversation(message.conversationId);
    return toApiMessage(
      message,
      (id) => {
        try {
          return this.client?.attachmentInfo(id);
        } catch {
          return undefined;
        }
      },
      (serviceId) => this.nameOf(serviceId),
      groupIdOfConversation(chat?.serviceId ?? '') !== undefined,
    );
  }

  /**
   * How this device names someone (a member, an author): "You", their chat's profile name, the name their
   * group profile key let us read, their chat's other title (number, username), else unknown.
   */
  nameOf(serviceId: string): string {
    const account = this.account;
    if (account && (serviceId === account.aci || serviceId === account.pni)) return 'You';
    const chat = this.messages.findConversationByServiceId(serviceId);
    return (
      chat?.profileName ??
      this.memberProfiles.nameOf(serviceId) ??
      (chat ? this.conversationTitle(chat) : 'Unknown contact')
    );
  }

  /**
   * ConversationSchema.group of a group conversation (null for a 1:1 chat or a group not fetched yet).
   * `account` is a vault read: the list reads it once for all rows (read per row, 1,000 chats took ≈ 0.25 s).
   */
  private conversationGroup(
    conversation: Conversation,
    account: StoredAccount | undefined,
  ): ApiConversation['group'] {
    const groupId = groupIdOfConversation(conversation.serviceId);
    const state = groupId === undefined ? null : (this.groups.get(groupId)?.state ?? null);
    return state && account ? toConversationGroup(state, account, this.lastAuthor(conversation)) : null;
  }

  /** Who wrote a group's last message, for the list's prefix (none for an event or an empty group). */
  private lastAuthor(conversation: Conversation): NonNullable<ApiConversation['group']>['lastAuthor'] {
    if (conversation.lastMessageSeq === null) return undefined;
    const last = this.messages.page(conversation.id, { limit: 1 }).messages[0];
    if (last?.kind !== 'message') return undefined;
    if (last.direction === 'out') return { name: 'You', isYou: true };
    return last.sourceServiceId ? { name: this.nameOf(last.sourceServiceId), isYou: false } : undefined;
  }

  apiConversation(conversation: Conversation): ApiConversation {
    const last =
      conversation.lastMessageSeq === null
        ? undefined
        : this.messages.page(conversation.id, { limit: 1 }).messages[0];
    const lastMessage = last
      ? {
          kind: last.kind,
          body: last.body,
          hasAttachments: last.attachmentIds.length > 0,
          receivedAt: last.receivedAt,
        }
      : null;
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
    return toApiConversation(
      conversation,
      lastMessage,
      verified,
      this.contactUsernames.of(conversation.id),
      this.conversationGroup(conversation, this.account),
    );
  }

  conversationTitle(conversation: Conversation): string {
    return conversationTitle(conversation, this.contactUsernames.of(conversation.id));
  }

  /** The conversation list: one query for the conversations with their last messages, one for identities. */
  listConversations(): ApiConversation[] {
    const account = this.account;
    let statuses: ReturnType<SignalProtocolStores['aci']['identity']['verifiedStatuses']> = new Map();
    if (account) {
      try {
        statuses = this.signalStores.aci.identity.verifiedStatuses();
      } catch {
        statuses = new Map();
      }
    }
    return this.messages
      .listConversationSummaries()
      .map((summary) =>
        toApiConversation(
          summary,
          summary.lastMessage,
          verifiedState(statuses.get(summary.serviceId)),
          this.contactUsernames.of(summary.id),
          this.conversationGroup(summary, account),
        ),
      );
  }

  conversation(id: string): Conversation {
    const conversation = this.messages.getConversation(id);
    if (!conversation) throw new NotFoundError('No such conversation.');
    return conversation;
  }

  needClient(): MessagingClient {
    if (!this.account) throw new NotRegisteredError('Register this device before sending messages.');
    const client = this.client;
    if (!client) throw this.connection.whyNotConnected();
    return client;
  }

  accountStatus(): AccountStatus {
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

  /** The chat login of the registered account (for the PIN / registration-lock requests). */
  login(): AccountLogin {
    const account = this.account;
    if (!account) throw new NotRegisteredError('Register this device before setting a PIN.');
    return loginOf(account);
  }

  /** Where account requests go: the configured service, through the session's route (proxy / Tor). */
  endpoint(): { config: ClientConfig; openSocket: SocketOpener } {
    if (!this.config) throw new NotAvailableError('No Signal service is configured in this build.');
    return { config: this.config, openSocket: this.#openSocket };
  }

  /**
   * Whether connections leave directly right now. Link previews then resolve names themselves and check
   * every address; through a proxy, or while the proxy setting is unreadable, no name is looked up here.
   */
  routeIsDirect(): boolean {
    return !this.settings.proxyUnreadable && this.#routes.currentRoute().mode === 'direct';
  }

  /**
   * Other vault writes run between received envelopes, never in the middle of one's commit (see
   * docs/ARCHITECTURE.md): under the client's write lock when a client is running.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const client = this.client;
    return client ? client.runExclusive(fn) : fn();
  }

  saveAccount(registered: RegisteredAccount): void {
    saveAccount(this.kv, registered);
  }

  /**
   * The proxy setting changed: the new route takes effect at once (setRoute closes every socket of the old
   * route before it first awaits — never a direct socket after Tor is set) and the client reconnects
   * through it.
   */
  async followRoute(settings: Readonly<Settings>): Promise<void> {
    await this.#routes
      .setRoute(settings.proxy)
      .catch((error: unknown) => log.error('api.route.refused', errorFields(error)));
    await this.connection.restart();
  }

  dispose(): void {
    for (const unsubscribe of this.#unsubscribers.splice(0)) unsubscribe();
    this.connection.dispose();
    this.#routes.closeAll();
    this.settings.dispose();
    this.messages.discardEvents();
    this.shownSafetyNumbers.clear();
    this.registration = undefined;
    this.#ownStores?.dispose();
    this.#ownStores = undefined;
  }
}

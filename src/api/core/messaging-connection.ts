/**
 * The session's messaging client: started in the background once an account exists, restarted when the
 * route changes, stopped on lock. Start/stop run one at a time on a SerialQueue (a quick series of proxy
 * changes must not race), and the client's true state reaches the UI as `network.status`.
 *
 * A start that fails (proxy down, server unreachable) is retried with the one backoff policy
 * (src/net/backoff.ts) through the same route — the route stays fail-closed, so a retry never goes
 * direct — until it succeeds or the session is disposed; a route change starts over at once with a
 * fresh backoff. Once started, the client's ChatLink reconnects by itself.
 */
import { CarapaceError, NotConnectedError, ProxyAuthError, ProxyUnavailableError } from '../../errors.js';
import { ERROR_EXPLANATIONS } from '../contract.js';
import { errorFields, log } from '../../log.js';
import { SerialQueue } from '../../async/serial-queue.js';
import { MessagingClient } from '../../messaging/client.js';
import type { AccountKv } from '../../account/account-kv.js';
import { Backoff, CHAT_RECONNECT } from '../../net/backoff.js';
import type { ClientConfig } from '../../net/config.js';
import type { SocketOpener } from '../../net/socket-opener.js';
import type { SettingsStore } from '../../settings/store.js';
import type { Vault } from '../../vault/index.js';
import { credentialsOf, readAccount, readOwnProfileKey, saveOwnProfileKey } from './account-record.js';
import { profileContentOf, profileUploadBody } from '../../account/own-profile.js';
import type { EventPayload } from '../contract.js';
import type { Emit } from './context.js';
import { ensureProfileCommitted, markProfileCommitted } from './profile-commitment.js';

type NetworkStatus = EventPayload<'network.status'>['status'];

/** Failures of the proxy itself: the UI says "proxy error", not "connecting". */
const PROXY_FAILURES: ReadonlySet<string> = new Set(['PROXY_UNAVAILABLE', 'PROXY_AUTH_FAILED']);

export interface MessagingConnectionDeps {
  readonly vault: Vault;
  readonly config: ClientConfig | undefined;
  readonly settings: SettingsStore;
  readonly kv: AccountKv;
  /** The session's route: every socket the client opens follows the current proxy / Tor setting. */
  readonly openSocket: SocketOpener;
  readonly emit: Emit;
  /** Wires a started client's events to the API; returns the unsubscribers. */
  readonly subscribe: (client: MessagingClient) => Array<() => void>;
}

export class MessagingConnection {
  #client: MessagingClient | undefined;
  #unsubscribers: Array<() => void> = [];
  #disposed = false;
  readonly #queue = new SerialQueue();
  readonly #backoff = new Backoff(CHAT_RECONNECT);
  #retryTimer: NodeJS.Timeout | undefined;
  /** The last status sent: a retry that fails the same way again does not repeat it, and a window opened
   * later asks for it (`network.status`) instead of showing "offline" until the next change. */
  #current: EventPayload<'network.status'> = { status: 'offline' };

  constructor(private readonly deps: MessagingConnectionDeps) {}

  /** The running client; undefined while not connected (no account, offline, or failed to start). */
  get client(): MessagingClient | undefined {
    return this.#client;
  }

  /** The connection's state as last sent to the UI. */
  get status(): EventPayload<'network.status'> {
    return this.#current;
  }

  /**
   * Why there is no client, as the error a send answers: the proxy (or Tor) when that is what failed —
   * the user must fix the route, since Carapace never goes direct — otherwise "not connected".
   */
  whyNotConnected(): CarapaceError {
    if (this.#current.status !== 'proxy-error') return new NotConnectedError();
    return this.#current.detail === 'PROXY_AUTH_FAILED'
      ? new ProxyAuthError(ERROR_EXPLANATIONS.PROXY_AUTH_FAILED)
      : new ProxyUnavailableError(ERROR_EXPLANATIONS.PROXY_UNAVAILABLE);
  }

  /** Connects for a registered account, in the background (failures become `network.status`). */
  start(): Promise<void> {
    return this.#run(() => this.#start());
  }

  /** The route changed (proxy / Tor setting): tear the connection down and reconnect through it. */
  restart(): Promise<void> {
    return this.#run(async () => {
      // After a lock the vault's database is closed: touch nothing of it.
      if (this.#disposed || !readAccount(this.deps.kv)) return;
      this.#cancelRetry();
      this.#backoff.reset();
      this.#status('offline', 'route-changed');
      await this.#stop();
      await this.#start();
    });
  }

  /** On lock: no new start or retry, and the running client stops (its sockets are closed by the route). */
  dispose(): void {
    this.#disposed = true;
    this.#cancelRetry();
    void this.#stop();
  }

  /** Callers fire and forget: a failure (e.g. the vault locked meanwhile) is logged, never unhandled. */
  #run(operation: () => Promise<void>): Promise<void> {
    return this.#queue
      .run(operation)
      .catch((error: unknown) => log.warn('api.messaging.lifecycle_failed', errorFields(error)));
  }

  async #start(retry = false): Promise<void> {
    const { config, kv, settings } = this.deps;
    if (this.#disposed || this.#client || !config) return;
    const account = readAccount(kv);
    if (!account) return;
    // A retry keeps showing why the last attempt failed until it succeeds (no flicker per attempt).
    if (!retry) this.#status('connecting');
    try {
      const client = await MessagingClient.start({
        vault: this.deps.vault,
        config,
        credentials: credentialsOf(account),
        openSocket: this.deps.openSocket,
        blockUnknownSenders: () => settings.get().blockUnknownSenders,
        readReceipts: () => settings.get().readReceipts,
        defaultExpireTimer: () => settings.get().disappearingDefaultSeconds || null,
        ownProfileKey: () => readOwnProfileKey(kv),
        saveOwnProfileKey: (profileKey) => {
          // A rotation saves its key only after the server took the new commitment.
          saveOwnProfileKey(kv, profileKey);
          markProfileCommitted(kv, account.aci, profileKey);
        },
        profileBody: (profileKey) => profileUploadBody(account.aci, profileKey, profileContentOf(kv)),
      });
      if (this.#disposed) {
        await client.stop();
        return;
      }
      this.#client = client;
      void ensureProfileCommitted({
        kv,
        aci: account.aci,
        profileKey: readOwnProfileKey(kv),
        request: client.accountRequest,
      });
      this.#cancelRetry();
      this.#backoff.reset();
      this.#unsubscribers = [
        ...this.deps.subscribe(client),
        client.on('connection.state', ({ connected, failure }) => {
          if (connected) this.#status('online');
          else if (failure && PROXY_FAILURES.has(failure)) this.#status('proxy-error', failure);
          else this.#status('connecting', failure);
        }),
      ];
      this.#status('online');
    } catch (error) {
      const code = error instanceof CarapaceError ? error.code : 'INTERNAL';
      log.warn('api.messaging.start_failed', errorFields(error));
      this.#status(PROXY_FAILURES.has(code) ? 'proxy-error' : 'offline', code);
      this.#scheduleRetry();
    }
  }

  #scheduleRetry(): void {
    if (this.#disposed || this.#retryTimer) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#run(() => this.#start(true));
    }, this.#backoff.next());
    this.#retryTimer.unref();
  }

  #cancelRetry(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  #status(status: NetworkStatus, detail?: string): void {
    if (status === this.#current.status && detail === this.#current.detail) return;
    this.#current = { status, ...(detail ? { detail } : {}) };
    this.deps.emit('network.status', this.#current);
  }

  async #stop(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    for (const unsubscribe of this.#unsubscribers.splice(0)) unsubscribe();
    await client?.stop().catch((error: unknown) => log.warn('api.messaging.stop_failed', errorFields(error)));
  }
}

/**
 * The session's messaging client: started in the background once an account exists, restarted when the
 * route changes, stopped on lock. Start/stop run one at a time on a SerialQueue (a quick series of proxy
 * changes must not race), and the client's true state reaches the UI as `network.status`.
 */
import { CarapaceError } from '../../errors.js';
import { errorFields, log } from '../../log.js';
import { SerialQueue } from '../../async/serial-queue.js';
import { MessagingClient } from '../../messaging/client.js';
import type { AccountKv } from '../../account/account-kv.js';
import type { ClientConfig } from '../../net/config.js';
import type { SocketOpener } from '../../net/socket-opener.js';
import type { SettingsStore } from '../../settings/store.js';
import type { Vault } from '../../vault/index.js';
import { credentialsOf, readAccount, readOwnProfileKey, saveOwnProfileKey } from './account-record.js';
import type { Emit } from './context.js';

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

  constructor(private readonly deps: MessagingConnectionDeps) {}

  /** The running client; undefined while not connected (no account, offline, or failed to start). */
  get client(): MessagingClient | undefined {
    return this.#client;
  }

  /** Connects for a registered account, in the background (failures become `network.status`). */
  start(): Promise<void> {
    return this.#run(() => this.#start());
  }

  /** The route changed (proxy / Tor setting): tear the connection down and reconnect through it. */
  restart(): Promise<void> {
    return this.#run(async () => {
      if (!readAccount(this.deps.kv)) return;
      this.deps.emit('network.status', { status: 'offline', detail: 'route-changed' });
      await this.#stop();
      await this.#start();
    });
  }

  /** On lock: no new start, and the running client stops (its sockets are closed by the route). */
  dispose(): void {
    this.#disposed = true;
    void this.#stop();
  }

  /** Callers fire and forget: a failure (e.g. the vault locked meanwhile) is logged, never unhandled. */
  #run(operation: () => Promise<void>): Promise<void> {
    return this.#queue
      .run(operation)
      .catch((error: unknown) => log.warn('api.messaging.lifecycle_failed', errorFields(error)));
  }

  async #start(): Promise<void> {
    const { config, kv, settings, emit } = this.deps;
    const account = readAccount(kv);
    if (!account || !config || this.#client || this.#disposed) return;
    emit('network.status', { status: 'connecting' });
    try {
      const client = await MessagingClient.start({
        vault: this.deps.vault,
        config,
        credentials: credentialsOf(account),
        openSocket: this.deps.openSocket,
        blockUnknownSenders: () => settings.get().blockUnknownSenders,
        defaultExpireTimer: () => settings.get().disappearingDefaultSeconds || null,
        ownProfileKey: () => readOwnProfileKey(kv),
        saveOwnProfileKey: (profileKey) => saveOwnProfileKey(kv, profileKey),
      });
      if (this.#disposed) {
        await client.stop();
        return;
      }
      this.#client = client;
      this.#unsubscribers = [
        ...this.deps.subscribe(client),
        client.on('connection.state', ({ connected }) =>
          emit('network.status', { status: connected ? 'online' : 'connecting' }),
        ),
      ];
      emit('network.status', { status: 'online' });
    } catch (error) {
      const code = error instanceof CarapaceError ? error.code : 'INTERNAL';
      log.warn('api.messaging.start_failed', errorFields(error));
      emit('network.status', {
        status: code === 'PROXY_UNAVAILABLE' || code === 'PROXY_AUTH_FAILED' ? 'proxy-error' : 'offline',
        detail: code,
      });
    }
  }

  async #stop(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    for (const unsubscribe of this.#unsubscribers.splice(0)) unsubscribe();
    await client?.stop().catch((error: unknown) => log.warn('api.messaging.stop_failed', errorFields(error)));
  }
}

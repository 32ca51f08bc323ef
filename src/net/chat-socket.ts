import { NetworkError, ServerError } from '../errors.js';
import { errorFields, log } from '../log.js';
import {
  CLOSE_CODE_AUTH_FAILED,
  CLOSE_CODE_REPLACED,
  openChatConnection,
  parseJsonBody,
  type ChatCloseInfo,
  type ChatConnection,
  type ChatConnectionOptions,
  type ChatRequest,
  type ChatResponse,
} from './chat-connection.js';

export interface BackoffOptions {
  /** First delay before a reconnect. Default 1 s. */
  readonly initialMs?: number;
  /** Ceiling of the delay. Default 60 s. */
  readonly maxMs?: number;
  readonly factor?: number;
}

/**
 * Exponential backoff with full jitter: a uniformly random delay in [0.5·d, d] where
 * d = min(max, initial·factor^attempt). Jitter keeps many clients from reconnecting in lockstep.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const initial = options.initialMs ?? 1000;
  const max = options.maxMs ?? 60_000;
  const factor = options.factor ?? 2;
  const ceiling = Math.min(max, initial * factor ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export type ChatSocketState =
  'idle' | 'connecting' | 'open' | 'waiting' | 'stopped' | 'auth-failed' | 'replaced';

export interface ChatSocketOptions extends ChatConnectionOptions {
  readonly backoff?: BackoffOptions;
  readonly onStateChange?: (state: ChatSocketState, error?: Error) => void;
}

/**
 * The chat socket kept open: reconnects with exponential backoff and jitter after any loss (server
 * close, network error, failed keepalive). It stops when the server rejects the credentials
 * ('auth-failed') or replaces this socket by a newer one for the same device ('replaced', close 4409:
 * another instance is connected; fighting over the socket would starve both). `start()` again to resume.
 */
export class ChatSocket {
  readonly #options: ChatSocketOptions;
  #state: ChatSocketState = 'idle';
  #connection: ChatConnection | undefined;
  #attempt = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #abort = new AbortController();
  #waiters: { resolve: (c: ChatConnection) => void; reject: (e: Error) => void }[] = [];
  /** How many connections were opened so far (1 = first connect; more = reconnects). */
  connectCount = 0;

  constructor(options: ChatSocketOptions) {
    this.#options = options;
  }

  get state(): ChatSocketState {
    return this.#state;
  }

  start(): void {
    if (this.#state !== 'idle' && this.#state !== 'auth-failed' && this.#state !== 'replaced') return;
    this.#attempt = 0;
    void this.#connect();
  }

  async stop(): Promise<void> {
    this.#setState('stopped');
    clearTimeout(this.#retryTimer);
    this.#abort.abort();
    this.#rejectWaiters(new NetworkError('The chat socket was stopped'));
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection) await connection.close();
  }

  /** Resolves with the open connection (waits for a reconnect in progress, up to `timeoutMs`). */
  waitForOpen(timeoutMs = 30_000): Promise<ChatConnection> {
    if (this.#connection?.isOpen) return Promise.resolve(this.#connection);
    if (this.#state === 'stopped' || this.#state === 'auth-failed' || this.#state === 'replaced') {
      return Promise.reject(
        this.#state === 'auth-failed'
          ? new ServerError('The server rejected the credentials', 401)
          : new NetworkError(
              this.#state === 'replaced'
                ? 'Connected elsewhere with this device'
                : 'The chat socket was stopped',
            ),
      );
    }
    return new Promise<ChatConnection>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new NetworkError('Not connected to the server'));
      }, timeoutMs);
      const waiter = {
        resolve: (c: ChatConnection) => {
          clearTimeout(timer);
          resolve(c);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.#waiters.push(waiter);
    });
  }

  async request(request: ChatRequest): Promise<ChatResponse> {
    return (await this.waitForOpen()).request(request);
  }

  async requestOk(request: ChatRequest): Promise<ChatResponse> {
    return (await this.waitForOpen()).requestOk(request);
  }

  async requestJson(request: ChatRequest): Promise<unknown> {
    return parseJsonBody(await this.requestOk(request));
  }

  #setState(state: ChatSocketState, error?: Error): void {
    if (this.#state === state) return;
    if (this.#state === 'stopped' && state !== 'stopped') return;
    this.#state = state;
    this.#options.onStateChange?.(state, error);
  }

  #isStopped(): boolean {
    return this.#state === 'stopped';
  }

  #rejectWaiters(error: Error): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.reject(error);
  }

  async #connect(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#setState('connecting');
    let connection: ChatConnection;
    try {
      connection = await openChatConnection({ ...this.#options, signal: this.#abort.signal });
    } catch (error) {
      if (error instanceof ServerError && (error.status === 401 || error.status === 403)) {
        this.#authFailed(error);
        return;
      }
      log.info('net.chat.connect_failed', { ...errorFields(error), attempt: this.#attempt });
      this.#scheduleRetry(error instanceof Error ? error : undefined);
      return;
    }
    if (this.#isStopped()) {
      await connection.close();
      return;
    }
    this.#connection = connection;
    this.connectCount += 1;
    void connection.closed.then((info) => this.#onClosed(connection, info));
    // The server may refuse credentials only by closing right after the upgrade; a short grace period
    // is not needed: waiters get the connection now and see the close as a NetworkError/ServerError.
    this.#setState('open');
    this.#attempt = 0;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.resolve(connection);
  }

  #onClosed(connection: ChatConnection, info: ChatCloseInfo): void {
    if (this.#connection === connection) this.#connection = undefined;
    if (this.#state === 'stopped') return;
    if (info.code === CLOSE_CODE_AUTH_FAILED) {
      this.#authFailed(info.error ?? new ServerError('The server rejected the credentials', 401));
      return;
    }
    if (info.code === CLOSE_CODE_REPLACED) {
      const error = new NetworkError('Connected elsewhere with this device');
      log.warn('net.chat.replaced', {});
      this.#setState('replaced', error);
      this.#rejectWaiters(error);
      return;
    }
    log.info('net.chat.lost', { code: info.code, ...(info.error ? errorFields(info.error) : {}) });
    this.#scheduleRetry(info.error);
  }

  #authFailed(error: Error): void {
    this.#setState('auth-failed', error);
    this.#rejectWaiters(error);
  }

  #scheduleRetry(error?: Error): void {
    if (this.#state === 'stopped') return;
    const delay = backoffDelay(this.#attempt, this.#options.backoff);
    this.#attempt += 1;
    this.#setState('waiting', error);
    this.#retryTimer = setTimeout(() => void this.#connect(), delay);
  }
}

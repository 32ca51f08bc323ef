import type { ClientHttp2Session } from 'node:http2';
import { NetworkError } from '../errors.js';
import type { ServiceEndpoint } from './config.js';
import { closeHttp2Session, openHttp2Session } from './http2-session.js';
import type { SocketOpener } from './socket-opener.js';

export interface LazySessionOptions {
  readonly endpoint: ServiceEndpoint;
  readonly trustRootsPem: readonly string[];
  readonly openSocket: SocketOpener;
  /**
   * Receive window for bulk transfers (connection and per stream). HTTP/2's default of 64 KiB makes a
   * download wait for a WINDOW_UPDATE round trip every 64 KiB; the CDN client asks for more.
   */
  readonly windowBytes?: number;
}

function widenWindows(session: ClientHttp2Session, bytes: number): void {
  try {
    session.setLocalWindowSize(bytes);
    session.settings({ initialWindowSize: Math.min(bytes, 2 ** 31 - 1) });
  } catch {
    // A session that is already closing: the transfer on it fails on its own.
  }
}

/**
 * One HTTP/2 session to an endpoint (our pinned TLS over the SocketOpener, so SOCKS/Tor apply), opened on
 * first use and reopened after it closed. Shared by the gRPC and CDN clients.
 */
export class LazyHttp2Session {
  #session: Promise<ClientHttp2Session> | undefined;
  #closed = false;

  constructor(private readonly options: LazySessionOptions) {}

  get endpoint(): ServiceEndpoint {
    return this.options.endpoint;
  }

  async get(signal?: AbortSignal): Promise<ClientHttp2Session> {
    if (this.#closed) throw new NetworkError('The connection was closed');
    if (this.#session) {
      const existing = await this.#session.catch(() => undefined);
      if (existing && !existing.closed && !existing.destroyed) return existing;
    }
    const opening = openHttp2Session({
      endpoint: this.options.endpoint,
      trustRootsPem: this.options.trustRootsPem,
      openSocket: this.options.openSocket,
      ...(signal ? { signal } : {}),
    });
    this.#session = opening;
    const session = await opening;
    if (this.options.windowBytes) widenWindows(session, this.options.windowBytes);
    session.once('close', () => {
      if (this.#session === opening) this.#session = undefined;
    });
    return session;
  }

  close(): void {
    this.#closed = true;
    const session = this.#session;
    this.#session = undefined;
    void session?.then(closeHttp2Session, () => undefined);
  }
}

/**
 * The web harness's `window.carapace`: the same CarapaceApi as the Electron preload, over the harness's
 * authenticated loopback WebSocket. The page URL's hash fragment carries the per-launch token
 * (`#token=<hex>`; fragments are never sent over HTTP); it is removed from the address bar at once.
 * Protocol: first message = the token (JSON string), then {id, command, input} → {id, result} and
 * {event, payload} pushed by the core.
 * A reload of the same tab: the hello carries a single-use reload ticket, kept in this tab's history entry
 * (history.state — never the address bar, another tab or an HTTP request) and sent as {reloadTicket}
 * instead of the token; each login replaces it. The harness lets it expire soon after the page goes away.
 */
import {
  buildCarapaceApi,
  isEventName,
  type ApiResult,
  type CarapaceApi,
  type CommandName,
  type EventName,
} from '../src/api/contract.js';

interface Pending {
  resolve: (result: ApiResult<unknown>) => void;
}

/** The launch token, or this tab's reload ticket: what the first message presents. */
type Credential = string | { reloadTicket: string };

const HEX_256 = /^[0-9a-f]{64}$/;
/** Close code of the harness while another connection holds the session (the reloaded page's old socket). */
const SESSION_IN_USE = 4409;
const RELOAD_RETRIES = 10;
const RELOAD_RETRY_MS = 200;

function readHarnessToken(hash: string): string | null {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const token = params.get('token');
  return token && HEX_256.test(token) ? token : null;
}

function readReloadTicket(): string | null {
  const state: unknown = window.history.state;
  if (typeof state !== 'object' || state === null) return null;
  const ticket = (state as { carapaceReloadTicket?: unknown }).carapaceReloadTicket;
  return typeof ticket === 'string' && HEX_256.test(ticket) ? ticket : null;
}

/** Keeps the next ticket in this history entry only (replacing the spent one); the URL stays as it is. */
function keepReloadTicket(ticket: string | null): void {
  const state: unknown = window.history.state;
  const rest = typeof state === 'object' && state !== null ? state : {};
  window.history.replaceState({ ...rest, carapaceReloadTicket: ticket }, '');
}

class HarnessRefused extends Error {
  constructor(readonly code: number) {
    super('harness connection failed');
  }
}

async function connectHarness(credential: Credential, url: string): Promise<CarapaceApi> {
  // The harness's loopback API channel only. In Electron the preload provides window.carapace and the
  // CSP (connect-src 'none') would refuse any socket anyway.
  // eslint-disable-next-line no-restricted-globals
  const socket = new WebSocket(url);
  const pending = new Map<number, Pending>();
  const handlers = new Map<EventName, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let closed = false;

  const disconnected = (): ApiResult<unknown> => ({
    ok: false,
    error: { code: 'DISCONNECTED', message: 'The connection to the Carapace core was lost.' },
  });

  await new Promise<void>((resolve, reject) => {
    const fail = (): void => reject(new HarnessRefused(0));
    socket.addEventListener('error', fail, { once: true });
    socket.addEventListener(
      'open',
      () => {
        socket.send(JSON.stringify(credential));
      },
      { once: true },
    );
    const onHello = (event: MessageEvent): void => {
      socket.removeEventListener('message', onHello);
      socket.removeEventListener('error', fail);
      try {
        const data = JSON.parse(String(event.data)) as { hello?: string; reloadTicket?: unknown };
        if (data.hello !== 'ok') {
          fail();
          return;
        }
        keepReloadTicket(typeof data.reloadTicket === 'string' ? data.reloadTicket : null);
        resolve();
      } catch {
        fail();
      }
    };
    socket.addEventListener('message', onHello);
    socket.addEventListener('close', (event) => reject(new HarnessRefused(event.code)), { once: true });
  });

  socket.addEventListener('message', (event: MessageEvent) => {
    let data: unknown;
    try {
      data = JSON.parse(String(event.data));
    } catch {
      return;
    }
    if (typeof data !== 'object' || data === null) return;
    const record = data as { id?: unknown; result?: unknown; event?: unknown; payload?: unknown };
    if (typeof record.id === 'number') {
      const entry = pending.get(record.id);
      pending.delete(record.id);
      entry?.resolve(record.result as ApiResult<unknown>);
    } else if (isEventName(record.event)) {
      for (const handler of handlers.get(record.event) ?? []) handler(record.payload);
    }
  });
  socket.addEventListener('close', () => {
    closed = true;
    for (const entry of pending.values()) entry.resolve(disconnected());
    pending.clear();
  });

  const invoke = (command: CommandName, input: unknown): Promise<ApiResult<unknown>> => {
    if (closed) return Promise.resolve(disconnected());
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, { resolve });
      socket.send(JSON.stringify({ id, command, input }));
    });
  };
  const subscribe = (event: EventName, handler: (payload: unknown) => void): (() => void) => {
    let set = handlers.get(event);
    if (!set) {
      set = new Set();
      handlers.set(event, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  };
  return buildCarapaceApi(invoke, subscribe);
}

/** A reload: the old page's socket may still be closing, so "in use" is retried briefly (unspent). */
async function reconnectWithTicket(ticket: string, url: string): Promise<CarapaceApi> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectHarness({ reloadTicket: ticket }, url);
    } catch (error) {
      if (!(error instanceof HarnessRefused) || error.code !== SESSION_IN_USE || attempt >= RELOAD_RETRIES)
        throw error;
      await new Promise((resolve) => setTimeout(resolve, RELOAD_RETRY_MS));
    }
  }
}

/**
 * In the harness: take the token from the hash (and scrub it from the URL), or on a reload this tab's
 * ticket (spent now: a second reload needs the next one), and connect to ws://<host>/api.
 */
export async function installHarnessApi(): Promise<boolean> {
  const url = `ws://${window.location.host}/api`;
  const token = readHarnessToken(window.location.hash);
  if (token) {
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    window.carapace = await connectHarness(token, url);
    return true;
  }
  const ticket = readReloadTicket();
  if (!ticket) return false;
  keepReloadTicket(null);
  window.carapace = await reconnectWithTicket(ticket, url);
  return true;
}

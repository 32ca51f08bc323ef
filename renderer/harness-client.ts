/**
 * The web harness's `window.carapace`: the same CarapaceApi as the Electron preload, over the harness's
 * authenticated loopback WebSocket. The page URL's hash fragment carries the per-launch token
 * (`#token=<hex>`; fragments are never sent over HTTP); it is removed from the address bar at once.
 * Protocol: first message = the token (JSON string), then {id, command, input} → {id, result} and
 * {event, payload} pushed by the core.
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

function readHarnessToken(hash: string): string | null {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const token = params.get('token');
  return token && /^[0-9a-f]{64}$/.test(token) ? token : null;
}

async function connectHarness(token: string, url: string): Promise<CarapaceApi> {
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
    const fail = (): void => reject(new Error('harness connection failed'));
    socket.addEventListener('error', fail, { once: true });
    socket.addEventListener(
      'open',
      () => {
        socket.send(JSON.stringify(token));
      },
      { once: true },
    );
    const onHello = (event: MessageEvent): void => {
      socket.removeEventListener('message', onHello);
      socket.removeEventListener('error', fail);
      try {
        const data = JSON.parse(String(event.data)) as { hello?: string };
        if (data.hello === 'ok') resolve();
        else fail();
      } catch {
        fail();
      }
    };
    socket.addEventListener('message', onHello);
    socket.addEventListener('close', fail, { once: true });
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

/** In the harness: take the token from the hash, scrub it from the URL, connect to ws://<host>/api. */
export async function installHarnessApi(): Promise<boolean> {
  const token = readHarnessToken(window.location.hash);
  if (!token) return false;
  window.history.replaceState(null, '', window.location.pathname + window.location.search);
  const url = `ws://${window.location.host}/api`;
  window.carapace = await connectHarness(token, url);
  return true;
}

/**
 * The web harness (Node, test/demo only — never packaged): serves the built harness page (dist/harness) on
 * http://127.0.0.1:<random port> and implements the same typed API as the Electron IPC adapter over an
 * authenticated loopback WebSocket:
 *   - binds 127.0.0.1 only, and answers only requests whose Host is 127.0.0.1:<port> (a DNS-rebinding page
 *     on another name cannot read it);
 *   - the upgrade request's Origin must equal the harness origin (a web page elsewhere cannot connect);
 *   - a 256-bit random token per launch must be the FIRST message (constant-time compare), within 5 s;
 *     the page gets it in the URL's hash fragment (never sent over HTTP, so never in a request line);
 *     one connection holds it at a time (a second one presenting it is refused while the first is open);
 *   - a reload of the same tab reconnects with a reload ticket instead: the harness sends a fresh random
 *     ticket with each accepted login, the page keeps it in its own history entry (history.state: not in
 *     the address bar, not in another tab, not sent over HTTP) and may present {reloadTicket} as its first
 *     message. A ticket is single-use (any attempt spends it), only the newest one is valid, and it expires
 *     RELOAD_WINDOW_MS after its connection closed — a copy found later (session-restore files) opens nothing;
 *   - before the token a connection may send 16 KiB at most, no frame may announce more, and any protocol
 *     error (bad frame, bad UTF-8, oversize header) ends that connection only, never the harness;
 *   - then JSON {id, command, input} → {id, result}, and core events as {event, payload}.
 * It serves the harness build (dist/harness: the app plus the WebSocket API client; the Electron bundle in
 * dist/renderer has no such client). The headers and CSP are Electron's (main/csp.ts), except that
 * connect-src allows this harness's own WebSocket endpoint (Electron's renderer talks IPC, not network).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { PreAuthLimit } from './pre-auth-limit.js';
import { MAX_COMMAND_FILE_BASE64, WireRequestSchema, type WireMessage } from '../../src/api/contract.js';
import { createCoreService, type CoreService, type CoreServiceOptions } from '../../src/api/service.js';
import { contentSecurityPolicy, securityHeaders } from '../../main/csp.js';

export const DEFAULT_RENDERER_DIR = resolve(fileURLToPath(new URL('../../dist/harness', import.meta.url)));
const AUTH_TIMEOUT_MS = 5000;
/**
 * Bytes a connection may send before its token is accepted (in total, so per frame too). The token message
 * is ~100 bytes; the large post-auth limit (whole attachments as base64) must not let an unauthenticated
 * local process make the harness buffer, or wait for, a 100+ MiB frame, so the raw socket is cut off past
 * this or at a frame header that announces more.
 */
const MAX_PRE_AUTH_BYTES = 16 * 1024;
/**
 * One API message carries at most 1 MiB of a file as base64 (a staging chunk or a small inline file, see
 * MAX_COMMAND_FILE_BASE64 in the contract) plus its JSON and text (a 65,536-character body escaped is
 * under 400 KiB). Loopback only, Origin-checked, and the token must come first.
 */
const MAX_MESSAGE_BYTES = MAX_COMMAND_FILE_BASE64 + 1024 * 1024;
/** Close code for a second connection presenting the token while another holds it. */
const TOKEN_IN_USE = 4409;
/** How long after its connection closed a reload ticket still opens a new one (a reload takes far less). */
const RELOAD_WINDOW_MS = 10_000;

export interface HarnessOptions extends Partial<CoreServiceOptions> {
  profileDir: string;
  /** A started demo network (src/demo): its client config is passed to the core service. */
  demoNetwork?: { config: NonNullable<CoreServiceOptions['networkConfig']> };
  port?: number;
  rendererDir?: string;
}

export interface Harness {
  /** Full URL to open, including the token in the hash fragment. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly service: CoreService;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Maps a URL path to a file inside `root`, or null (traversal, absolute, encoded tricks refused). */
function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const full = normalize(join(root, relative));
  if (full !== root && !full.startsWith(root + sep)) return null;
  return full;
}

/** The newest reload ticket: valid while its connection is open and RELOAD_WINDOW_MS after it closed. */
interface ReloadTicket {
  readonly value: Buffer;
  validUntil: number;
}

function ticketOf(message: unknown): string | null {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return null;
  const keys = Object.keys(message);
  const ticket = (message as { reloadTicket?: unknown }).reloadTicket;
  return keys.length === 1 && typeof ticket === 'string' ? ticket : null;
}

function tokensMatch(expected: Buffer, received: unknown): boolean {
  if (typeof received !== 'string' || received.length > 256) return false;
  const got = Buffer.from(received, 'utf8');
  if (got.length !== expected.length) {
    // Still spend a compare so the length is not the only timing signal.
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(expected, got);
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const root = resolve(options.rendererDir ?? DEFAULT_RENDERER_DIR);
  const tokenHex = randomBytes(32).toString('hex');
  const token = Buffer.from(tokenHex, 'utf8');
  const { demoNetwork, port: wantedPort, rendererDir: _r, ...serviceOptions } = options;
  const service = createCoreService({
    ...serviceOptions,
    profileDir: options.profileDir,
    ...(demoNetwork ? { networkConfig: demoNetwork.config } : {}),
    platform: serviceOptions.platform ?? { name: 'web-harness', screenSecuritySupported: false },
  });

  let origin = '';
  let host = '';
  let headers: Record<string, string> = {};
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.host !== host) {
      res.writeHead(421, headers).end();
      return;
    }
    void serveStatic(req, res);
  });
  const serveStatic = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    const file = resolveStaticPath(root, req.url ?? '/');
    try {
      if (!file) throw new Error('refused');
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
      const body = await readFile(file);
      res.writeHead(200, {
        ...headers,
        'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Length': body.length,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
    }
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const authed = new Set<WebSocket>();
  let reloadTicket: ReloadTicket | undefined;
  /** The first message: the launch token, or the newest unexpired reload ticket (spent by any attempt). */
  const credentialValid = (message: unknown): boolean => {
    const ticket = ticketOf(message);
    if (ticket === null) return tokensMatch(token, message);
    const current = reloadTicket;
    reloadTicket = undefined;
    return current !== undefined && Date.now() <= current.validUntil && tokensMatch(current.value, ticket);
  };
  const preAuthCounters = new WeakMap<WebSocket, () => void>();
  server.on('upgrade', (req, socket, head) => {
    // A reset while we answer must not become an unhandled 'error' (ws adds its own once it takes over).
    socket.on('error', () => socket.destroy());
    if (req.url !== '/api' || req.headers.origin !== origin || req.headers.host !== host) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const limit = new PreAuthLimit(MAX_PRE_AUTH_BYTES);
    if (!limit.accepts(head)) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Checked on the raw socket (ws buffers a whole frame before 'message'); attached only now, after ws
      // installed its own reader, so no byte is consumed before it. Removed once the token is accepted.
      const checkPreAuth = (chunk: Buffer): void => {
        if (!limit.accepts(chunk)) socket.destroy();
      };
      socket.on('data', checkPreAuth);
      preAuthCounters.set(ws, () => socket.off('data', checkPreAuth));
      wss.emit('connection', ws, req);
    });
  });

  wss.on('connection', (ws: WebSocket) => {
    let isAuthed = false;
    const timer = setTimeout(() => ws.close(4401, 'unauthenticated'), AUTH_TIMEOUT_MS);
    const send = (message: WireMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    // A protocol error (bad frame, invalid UTF-8, oversize message) or a reset: ws has already sent its close
    // code; this peer gets no 30 s closing handshake, and the error goes no further than this connection.
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(4400, 'text only');
        return;
      }
      let parsed: unknown;
      try {
        const text = Buffer.isBuffer(data)
          ? data.toString('utf8')
          : Array.isArray(data)
            ? Buffer.concat(data).toString('utf8')
            : Buffer.from(data).toString('utf8');
        parsed = JSON.parse(text);
      } catch {
        ws.close(4400, 'bad json');
        return;
      }
      if (!isAuthed) {
        clearTimeout(timer);
        // A reload's ticket arriving before the old page's socket has closed is refused unspent (the
        // page retries); a ticket is checked, and spent, only when it could open the session.
        if (authed.size > 0 && ticketOf(parsed) !== null) {
          ws.close(TOKEN_IN_USE, 'token in use');
          return;
        }
        if (!credentialValid(parsed)) {
          ws.close(4401, 'unauthenticated');
          return;
        }
        if (authed.size > 0) {
          ws.close(TOKEN_IN_USE, 'token in use');
          return;
        }
        isAuthed = true;
        preAuthCounters.get(ws)?.();
        authed.add(ws);
        const ticketHex = randomBytes(32).toString('hex');
        const issued: ReloadTicket = { value: Buffer.from(ticketHex, 'utf8'), validUntil: Infinity };
        reloadTicket = issued;
        ws.once('close', () => {
          issued.validUntil = Date.now() + RELOAD_WINDOW_MS;
        });
        send({ hello: 'ok', reloadTicket: ticketHex });
        return;
      }
      const request = WireRequestSchema.safeParse(parsed);
      if (!request.success) {
        ws.close(4400, 'bad request');
        return;
      }
      const { id, command, input } = request.data;
      void service.invoke(command, input).then((result) => send({ id, result }));
    });
    ws.on('close', () => {
      clearTimeout(timer);
      authed.delete(ws);
    });
  });

  const unsubscribe = service.onEvent((event, payload) => {
    const text = JSON.stringify({ event, payload } satisfies WireMessage);
    for (const ws of authed) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(wantedPort ?? 0, '127.0.0.1', () => resolvePromise());
  });
  const port = (server.address() as AddressInfo).port;
  host = `127.0.0.1:${port}`;
  origin = `http://${host}`;
  headers = securityHeaders(contentSecurityPolicy(`ws://127.0.0.1:${port}`));

  let closed = false;
  return {
    url: `${origin}/#token=${tokenHex}`,
    origin,
    port,
    service,
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
      await service.close();
    },
  };
}

/**
 * Test-only: a misbehaving HTTP/2 + RFC 8441 WebSocket server with the mock server's TLS certificate
 * (so the demo CA trusts it). Each test decides what the server does wrong.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  createSecureServer,
  type Http2SecureServer,
  type ServerHttp2Session,
  type ServerHttp2Stream,
  type IncomingHttpHeaders,
} from 'node:http2';
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import type { ServiceEndpoint } from '../config.js';

const certs = join(
  createRequire(import.meta.url).resolve('@signalapp/mock-server/package.json'),
  '..',
  'certs',
);
export const MOCK_CA_PEM = readFileSync(join(certs, 'ca-cert.pem'), 'utf8');

export interface HostileHandlers {
  /** An extended-CONNECT WebSocket: a server-role ws on the stream. Return a status to refuse. */
  onWebSocket?: (ws: WebSocket, headers: IncomingHttpHeaders) => void;
  connectStatus?: number;
  /** Any other request. */
  onRequest?: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void;
}

export interface HostileServer {
  readonly endpoint: ServiceEndpoint;
  readonly server: Http2SecureServer;
  /** Open HTTP/2 sessions (destroy one to simulate a dropped connection). */
  readonly sessions: ReadonlySet<ServerHttp2Session>;
  close(): Promise<void>;
}

export async function startHostileServer(handlers: HostileHandlers): Promise<HostileServer> {
  const server = createSecureServer({
    key: readFileSync(join(certs, 'key.pem')),
    cert: readFileSync(join(certs, 'full-cert.pem')),
    settings: { enableConnectProtocol: true },
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    if (headers[':method'] === 'CONNECT') {
      if (handlers.connectStatus !== undefined) {
        stream.respond({ ':status': handlers.connectStatus });
        stream.end();
        return;
      }
      stream.respond({ ':status': 200 });
      const ws = new (WebSocket as unknown as new (a: null, p: undefined, o: object) => WebSocket)(
        null,
        undefined,
        {},
      );
      (ws as unknown as { setSocket(s: ServerHttp2Stream, h: Buffer, o: object): void }).setSocket(
        stream,
        Buffer.alloc(0),
        {},
      );
      ws.on('error', () => undefined);
      handlers.onWebSocket?.(ws, headers);
      return;
    }
    if (handlers.onRequest) handlers.onRequest(stream, headers);
    else {
      stream.respond({ ':status': 404 });
      stream.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return {
    endpoint: { host: '127.0.0.1', port: address.port, servername: 'localhost' },
    server,
    sessions,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

import type { ServerHttp2Session } from 'node:http2';
import { createServer, type AddressInfo } from 'node:net';
import { rootCertificates } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { NetworkError, ProtocolError, ServerError } from '../errors.js';
import { decodeWsFrame, encodeWsRequest, encodeWsResponse } from '../signal/proto/websocket.js';
import { openChatConnection } from './chat-connection.js';
import { directSocketOpener } from './direct-opener.js';
import { RestClient } from './rest.js';
import { openTls } from './tls.js';
import {
  MOCK_CA_PEM,
  startHostileServer,
  type HostileHandlers,
  type HostileServer,
} from './test-support/hostile-server.js';

let hostile: HostileServer | undefined;
afterEach(async () => {
  await hostile?.close();
  hostile = undefined;
});

async function serve(handlers: HostileHandlers): Promise<HostileServer> {
  hostile = await startHostileServer(handlers);
  return hostile;
}

function sessions(server: HostileServer): ServerHttp2Session[] {
  return [...server.sessions];
}

function chat(server: HostileServer, extra: Partial<Parameters<typeof openChatConnection>[0]> = {}) {
  return openChatConnection({
    endpoint: server.endpoint,
    trustRootsPem: [MOCK_CA_PEM],
    openSocket: directSocketOpener,
    keepaliveIntervalMs: 0,
    ...extra,
  });
}

describe('TLS pinning', () => {
  it('rejects a server whose chain does not end at the configured root', async () => {
    const server = await serve({});
    // A real public CA from Node's bundle: the server's (mock) chain does not lead to it.
    const otherCa = rootCertificates[0]!;
    await expect(
      openTls({ endpoint: server.endpoint, trustRootsPem: [otherCa], openSocket: directSocketOpener }),
    ).rejects.toBeInstanceOf(NetworkError);
    const rest = new RestClient({
      endpoint: server.endpoint,
      trustRootsPem: [otherCa],
      openSocket: directSocketOpener,
    });
    await expect(rest.request({ method: 'GET', path: '/' })).rejects.toBeInstanceOf(NetworkError);
    rest.close();
  });

  it('rejects a certificate that does not name the endpoint', async () => {
    const server = await serve({});
    await expect(
      openTls({
        endpoint: { ...server.endpoint, servername: 'chat.signal.org' },
        trustRootsPem: [MOCK_CA_PEM],
        openSocket: directSocketOpener,
      }),
    ).rejects.toBeInstanceOf(NetworkError);
  });

  it('a server that accepts TCP but never speaks TLS times out with a NetworkError', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      await expect(
        openTls({
          endpoint: { host: '127.0.0.1', port, servername: 'localhost' },
          trustRootsPem: [MOCK_CA_PEM],
          openSocket: directSocketOpener,
          timeoutMs: 200,
        }),
      ).rejects.toBeInstanceOf(NetworkError);
    } finally {
      silent.close();
    }
  });

  it('refuses to connect without a trust root', async () => {
    const server = await serve({});
    await expect(
      openTls({ endpoint: server.endpoint, trustRootsPem: [], openSocket: directSocketOpener }),
    ).rejects.toBeInstanceOf(NetworkError);
  });
});

describe('REST over HTTP/2 against a misbehaving server', () => {
  function rest(server: HostileServer): RestClient {
    return new RestClient({
      endpoint: server.endpoint,
      trustRootsPem: [MOCK_CA_PEM],
      openSocket: directSocketOpener,
      maxResponseBytes: 1024,
    });
  }

  it('sends JSON with Basic auth and parses a JSON answer', async () => {
    let seen: { auth?: string; body?: string } = {};
    const server = await serve({
      onRequest: (stream, headers) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          seen = { auth: String(headers.authorization), body: Buffer.concat(chunks).toString() };
          stream.respond({ ':status': 200, 'content-type': 'application/json' });
          stream.end(JSON.stringify({ ok: true }));
        });
      },
    });
    const client = rest(server);
    const answer = await client.requestJson({
      method: 'PUT',
      path: '/v1/thing',
      json: { a: 1 },
      auth: { username: 'u.1', password: 'p' },
    });
    expect(answer).toEqual({ ok: true });
    expect(seen.auth).toBe(`Basic ${Buffer.from('u.1:p').toString('base64')}`);
    expect(JSON.parse(seen.body!)).toEqual({ a: 1 });
    client.close();
  });

  it('maps errors: non-2xx → ServerError, bad JSON / oversize → ProtocolError, silence → NetworkError', async () => {
    const server = await serve({
      onRequest: (stream, headers) => {
        const path = headers[':path'];
        if (path === '/500') {
          stream.respond({ ':status': 500 });
          stream.end('{"secret":"do not echo"}');
        } else if (path === '/garbage') {
          stream.respond({ ':status': 200 });
          stream.end('\u0000not json{');
        } else if (path === '/huge') {
          stream.respond({ ':status': 200 });
          stream.end(Buffer.alloc(4096, 1));
        } else if (path === '/reset') {
          stream.close(2);
        }
        // '/hang': never answers
      },
    });
    const client = rest(server);
    const status = await client.requestOk({ method: 'GET', path: '/500' }).catch((e: unknown) => e);
    expect(status).toBeInstanceOf(ServerError);
    expect((status as ServerError).status).toBe(500);
    expect((status as ServerError).message).not.toContain('secret');
    await expect(client.requestJson({ method: 'GET', path: '/garbage' })).rejects.toBeInstanceOf(
      ProtocolError,
    );
    await expect(client.request({ method: 'GET', path: '/huge' })).rejects.toBeInstanceOf(ProtocolError);
    await expect(client.request({ method: 'GET', path: '/reset' })).rejects.toBeInstanceOf(NetworkError);
    await expect(client.request({ method: 'GET', path: '/hang', timeoutMs: 100 })).rejects.toBeInstanceOf(
      NetworkError,
    );
    const abort = new AbortController();
    const pending = client.request({ method: 'GET', path: '/hang', signal: abort.signal });
    abort.abort();
    await expect(pending).rejects.toBeInstanceOf(NetworkError);
    // The client still works after all that.
    await expect(client.requestOk({ method: 'GET', path: '/500' })).rejects.toBeInstanceOf(ServerError);
    client.close();
  });

  it('reopens the session after the server dropped the connection', async () => {
    let count = 0;
    const server = await serve({
      onRequest: (stream) => {
        count += 1;
        if (count === 1) {
          stream.session?.destroy();
          return;
        }
        stream.respond({ ':status': 204 });
        stream.end();
      },
    });
    const client = rest(server);
    await expect(client.request({ method: 'GET', path: '/x' })).rejects.toBeInstanceOf(NetworkError);
    expect((await client.request({ method: 'GET', path: '/x' })).status).toBe(204);
    client.close();
  });
});

describe('chat WebSocket against a misbehaving server', () => {
  it('a malformed frame closes the connection with a ProtocolError and fails pending requests', async () => {
    const server = await serve({
      onWebSocket: (ws) => ws.on('message', () => ws.send(Buffer.from([0xff, 0xff, 0xff, 0xff]))),
    });
    const connection = await chat(server);
    await expect(connection.request({ verb: 'GET', path: '/v1/keepalive' })).rejects.toBeInstanceOf(
      ProtocolError,
    );
    const info = await connection.closed;
    expect(info.error).toBeInstanceOf(ProtocolError);
  });

  it('a text message or an empty frame is a ProtocolError, not a crash', async () => {
    for (const payload of ['hello', Buffer.alloc(0)]) {
      const server = await serve({ onWebSocket: (ws) => ws.send(payload) });
      const connection = await chat(server);
      const info = await connection.closed;
      expect(info.error).toBeInstanceOf(ProtocolError);
      await hostile?.close();
      hostile = undefined;
    }
  });

  it('ignores a response to an unknown id and still matches the right one', async () => {
    const server = await serve({
      onWebSocket: (ws) =>
        ws.on('message', (data: Buffer) => {
          const frame = decodeWsFrame(data);
          if (frame.type !== 'request') return;
          ws.send(encodeWsResponse({ id: 987654n, status: 200, headers: [] }));
          ws.send(encodeWsResponse({ id: frame.request.id, status: 204, headers: [] }));
        }),
    });
    const connection = await chat(server);
    expect((await connection.request({ verb: 'GET', path: '/x' })).status).toBe(204);
    expect(connection.isOpen).toBe(true);
    await connection.close();
  });

  it('an unanswered request times out; an unanswered keepalive closes the connection', async () => {
    const server = await serve({ onWebSocket: () => undefined });
    const connection = await chat(server, { requestTimeoutMs: 100 });
    await expect(connection.request({ verb: 'GET', path: '/x' })).rejects.toBeInstanceOf(NetworkError);
    await connection.close();

    const withKeepalive = await chat(server, { keepaliveIntervalMs: 30, keepaliveTimeoutMs: 60 });
    const info = await withKeepalive.closed;
    expect(info.error).toBeInstanceOf(NetworkError);
  });

  it('an oversized message or a dropped TCP connection closes with a typed error', async () => {
    // Beyond the socket's read limit (4× maxPayloadBytes; just over maxPayloadBytes is acked and skipped).
    const big = await serve({ onWebSocket: (ws) => ws.send(Buffer.alloc(8192, 1)) });
    const small = await chat(big, { maxPayloadBytes: 1024 });
    expect((await small.closed).error).toBeInstanceOf(ProtocolError);
    await hostile?.close();

    const dropping = await serve({ onWebSocket: (_ws) => undefined });
    const connection = await chat(dropping);
    const pending = connection.request({ verb: 'GET', path: '/x' });
    for (const session of sessions(dropping)) session.destroy();
    await expect(pending).rejects.toBeInstanceOf(NetworkError);
    expect((await connection.closed).error).toBeInstanceOf(NetworkError);
  });

  it('a refused upgrade is a ServerError with the status', async () => {
    const server = await serve({ connectStatus: 403 });
    const error = await chat(server).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).status).toBe(403);
  });

  it('answers incoming requests with the handler status, 500 when it throws', async () => {
    const statuses: number[] = [];
    const server = await serve({
      onWebSocket: (ws) => {
        ws.on('message', (data: Buffer) => {
          const frame = decodeWsFrame(data);
          if (frame.type === 'response') statuses.push(frame.response.status);
        });
        // Requests with ids 1..3, sent at once: answers come back in order.
        for (const [id, path] of [
          [1n, '/api/v1/message'],
          [2n, '/boom'],
          [3n, '/api/v1/queue/empty'],
        ] as const) {
          ws.send(encodeWsRequest({ verb: 'PUT', path, id, headers: [] }));
        }
      },
    });
    const order: string[] = [];
    const connection = await chat(server, {
      onRequest: async (request) => {
        order.push(request.path);
        if (request.path === '/boom') throw new Error('handler failed');
        if (request.path === '/api/v1/message') {
          await new Promise((r) => setTimeout(r, 30));
          return 200;
        }
        return 204;
      },
    });
    const deadline = Date.now() + 5000;
    while (statuses.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual(['/api/v1/message', '/boom', '/api/v1/queue/empty']);
    expect(statuses).toEqual([200, 500, 204]);
    await connection.close();
  });
});

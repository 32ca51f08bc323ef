/**
 * The web harness's API socket against hostile local clients: hand-made WebSocket frames over raw TCP to a
 * real harness on 127.0.0.1. Each bad frame must close only its own connection; the harness keeps serving.
 */
import { get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestProfile, type TestProfile } from '../../src/test-support/vault.js';
import { startHarness, type Harness } from './server.js';

let profile: TestProfile;
let harness: Harness;

beforeAll(async () => {
  profile = createTestProfile('carapace-harness-');
  harness = await startHarness({ profileDir: profile.dir });
});

afterAll(async () => {
  await harness.close();
  profile.dispose();
});

function tokenOf(h: Harness): string {
  return new URL(h.url).hash.replace('#token=', '');
}

interface Frame {
  opcode?: number;
  payload?: Buffer;
  fin?: boolean;
  rsv?: number;
  masked?: boolean;
  /** Overrides the length field (a 64-bit length written as is), for frames that lie about their size. */
  declaredLength?: bigint;
}

/** One WebSocket frame as RFC 6455 lays it out, with every field under the test's control. */
function frame({
  opcode = 1,
  payload = Buffer.alloc(0),
  fin = true,
  rsv = 0,
  masked = true,
  declaredLength,
}: Frame) {
  const first = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
  const maskBit = masked ? 0x80 : 0;
  let header: Buffer;
  if (declaredLength !== undefined) {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(declaredLength, 2);
  } else if (payload.length < 126) {
    header = Buffer.from([first, maskBit | payload.length]);
  } else {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = maskBit | 126;
    header.writeUInt16BE(payload.length, 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload.map((byte, i) => byte ^ (key[i % 4] ?? 0)));
  return Buffer.concat([header, key, body]);
}

interface RawClient {
  socket: Socket;
  /** The HTTP status line of the upgrade answer. */
  status: string;
  /** Resolves when the server ends the TCP connection. */
  closed: Promise<void>;
}

async function rawUpgrade(h: Harness, host = `127.0.0.1:${h.port}`): Promise<RawClient> {
  const socket = connect(h.port, '127.0.0.1');
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    [
      'GET /api HTTP/1.1',
      `Host: ${host}`,
      `Origin: ${h.origin}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n'),
  );
  const head = await new Promise<string>((resolve) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n\r\n')) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.once('close', () => resolve(text));
  });
  return { socket, status: head.split('\r\n')[0] ?? '', closed };
}

/** The next message on a client socket, parsed (the ws client delivers text as a Buffer). */
function nextJson(ws: WebSocket): Promise<unknown> {
  return new Promise((resolve) =>
    ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString('utf8')))),
  );
}

async function openSocket(h: Harness): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${h.port}/api`, { origin: h.origin });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

/** Presents a credential (the token, or {reloadTicket}); returns the hello's next reload ticket. */
async function login(ws: WebSocket, credential: unknown): Promise<string> {
  const hello = nextJson(ws);
  ws.send(JSON.stringify(credential));
  const answer = (await hello) as { hello?: string; reloadTicket?: string };
  expect(answer.hello).toBe('ok');
  expect(answer.reloadTicket).toMatch(/^[0-9a-f]{64}$/);
  return answer.reloadTicket ?? '';
}

/** A well-behaved client that has presented the token. */
async function goodClient(h: Harness): Promise<WebSocket> {
  const ws = await openSocket(h);
  await login(ws, tokenOf(h));
  return ws;
}

async function closeSocket(ws: WebSocket): Promise<void> {
  const gone = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  ws.close();
  await gone;
}

/** The close code a fresh connection gets for presenting `credential`. */
async function refusal(h: Harness, credential: unknown): Promise<number> {
  const ws = await openSocket(h);
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.send(JSON.stringify(credential));
  return closed;
}

async function assertServes(h: Harness): Promise<void> {
  const ws = await goodClient(h);
  const answer = nextJson(ws);
  ws.send(JSON.stringify({ id: 1, command: 'vault.status', input: {} }));
  expect(await answer).toMatchObject({ id: 1, result: { ok: true } });
  const gone = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  ws.close();
  await gone;
}

describe('web harness: hostile frames before the token', () => {
  const hostile: [string, () => Buffer][] = [
    ['an unmasked client frame', () => frame({ payload: Buffer.from('"x"'), masked: false })],
    ['RSV bits without an extension', () => frame({ payload: Buffer.from('"x"'), rsv: 0b100 })],
    ['invalid UTF-8 in a text frame', () => frame({ payload: Buffer.from([0x22, 0xc3, 0x28, 0x22]) })],
    ['a length beyond 2^53', () => frame({ declaredLength: 1n << 62n })],
    ['a length beyond the post-auth limit', () => frame({ declaredLength: 1n << 40n })],
    ['an unknown opcode', () => frame({ opcode: 0x3, payload: Buffer.from('x') })],
    ['a fragmented control frame', () => frame({ opcode: 0x9, fin: false })],
  ];
  for (const [name, bytes] of hostile) {
    it(`${name} closes only that connection`, async () => {
      const client = await rawUpgrade(harness);
      expect(client.status).toBe('HTTP/1.1 101 Switching Protocols');
      client.socket.write(bytes());
      await client.closed;
      await assertServes(harness);
    });
  }

  it('a frame that announces more than the pre-auth bound is cut off before it is buffered', async () => {
    const client = await rawUpgrade(harness);
    const declared = 1024 * 1024;
    client.socket.write(frame({ declaredLength: BigInt(declared) }).subarray(0, 14));
    // Only the header: the harness must not wait for a megabyte from a client it does not know yet (nor
    // until the 5 s token deadline).
    const started = Date.now();
    await client.closed;
    expect(Date.now() - started).toBeLessThan(2000);
    await assertServes(harness);
  });
});

describe('web harness: who may connect', () => {
  it('refuses an upgrade whose Host is not 127.0.0.1:<port> (DNS rebinding)', async () => {
    for (const host of [
      `localhost:${harness.port}`,
      `evil.example:${harness.port}`,
      '127.0.0.1:1',
      '127.0.0.1',
    ]) {
      const client = await rawUpgrade(harness, host);
      expect(client.status, host).toBe('HTTP/1.1 403 Forbidden');
      await client.closed;
    }
    await assertServes(harness);
  });

  it('refuses a page request whose Host is not 127.0.0.1:<port>', async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      get(
        { host: '127.0.0.1', port: harness.port, path: '/', headers: { host: 'rebound.example' } },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      ).once('error', reject);
    });
    expect(status).toBe(421);
  });

  it('refuses a second connection with the token while the first is open, accepts one after it closed', async () => {
    const first = await goodClient(harness);
    const second = new WebSocket(`ws://127.0.0.1:${harness.port}/api`, { origin: harness.origin });
    await new Promise<void>((resolve) => second.once('open', () => resolve()));
    const refused = new Promise<number>((resolve) => second.once('close', (code) => resolve(code)));
    second.send(JSON.stringify(tokenOf(harness)));
    expect(await refused).toBe(4409);
    expect(first.readyState).toBe(WebSocket.OPEN);

    const gone = new Promise<void>((resolve) => first.once('close', () => resolve()));
    first.close();
    await gone;
    await assertServes(harness);
  });

  it('a reload ticket reopens the session once, only the newest one, only after its connection closed', async () => {
    const first = await openSocket(harness);
    const ticket = await login(first, tokenOf(harness));
    // While the page's socket is open, a ticket is refused unspent ("in use": the reloaded page retries).
    expect(await refusal(harness, { reloadTicket: ticket })).toBe(4409);
    await closeSocket(first);

    const reloaded = await openSocket(harness);
    const next = await login(reloaded, { reloadTicket: ticket });
    expect(next).not.toBe(ticket);
    await closeSocket(reloaded);
    // Single use: the spent ticket opens nothing; a wrong guess spends the newest one too.
    expect(await refusal(harness, { reloadTicket: ticket })).toBe(4401);
    expect(await refusal(harness, { reloadTicket: next })).toBe(4401);
    expect(await refusal(harness, { reloadTicket: next, extra: 1 })).toBe(4401);
    await assertServes(harness);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerError } from '../errors.js';
import type { RegisteredAccount } from '../account/registration.js';
import { startDemoNetwork, type DemoContact, type DemoNetwork } from '../demo/network.js';
import { registerDemoAccount } from '../demo/register-demo-account.js';
import { SignalProtocolStores } from '../signal/stores.js';
import { openTestDb, tempDir, type TempDir } from '../signal/test-support/db.js';
import type { Device } from '@signalapp/mock-server';
import { openChatConnection, type IncomingRequest } from './chat-connection.js';
import { ChatSocket, backoffDelay, type ChatSocketState } from './chat-socket.js';
import { directSocketOpener } from './direct-opener.js';
import { RestClient } from './rest.js';

/** Polls a condition (no timing assertions: it only bounds how long a test may wait). */
async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  limitMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('authenticated chat socket against the mock server', () => {
  let network: DemoNetwork;
  let dir: TempDir;
  let account: RegisteredAccount;
  let device: Device;
  let alice: DemoContact;

  beforeAll(async () => {
    network = await startDemoNetwork();
    dir = tempDir('carapace-chat-');
    account = await registerDemoAccount(network, new SignalProtocolStores(openTestDb(`${dir.path}/me.db`)), {
      oneTimePreKeyCount: 5,
    });
    device = (await network.server.getDeviceByServiceId(account.aci as never))!;
    alice = await network.createContact('Alice');
  });
  afterAll(async () => {
    await network.close();
    dir.cleanup();
  });

  function socketFor(
    onRequest: (request: IncomingRequest) => Promise<number | void>,
    states: ChatSocketState[] = [],
  ) {
    return new ChatSocket({
      endpoint: network.config.chat,
      trustRootsPem: network.config.tlsTrustRootsPem,
      openSocket: directSocketOpener,
      auth: { username: `${account.aci}.${account.deviceId}`, password: account.password },
      onRequest,
      backoff: { initialMs: 50, maxMs: 200 },
      onStateChange: (state) => states.push(state),
    });
  }

  it('acks an incoming message only after the handler resolved; a failed handler leaves it queued', async () => {
    const seen: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let failNext = false;
    const socket = socketFor(async (request) => {
      seen.push(`${request.verb} ${request.path}`);
      if (request.path === '/api/v1/message') {
        if (failNext) {
          failNext = false;
          throw new Error('vault write failed');
        }
        await held;
      }
    });
    socket.start();
    await socket.waitForOpen();
    await until(() => seen.includes('PUT /api/v1/queue/empty'), 'queue empty');

    // The mock's send resolves only once delivered and acknowledged, so do not await it yet.
    const sending = alice.sendText(account.aci, 'hello');
    await until(() => seen.includes('PUT /api/v1/message'), 'message delivery');
    // The handler has not resolved: the server still holds the message.
    expect(network.server.pendingCount(device)).toBe(1);
    release();
    await sending;
    await until(() => network.server.pendingCount(device) === 0, 'ack');

    // A handler that throws answers 500: the server keeps the message and redelivers it.
    failNext = true;
    const before = seen.filter((s) => s === 'PUT /api/v1/message').length;
    const second = alice.sendText(account.aci, 'second');
    await until(() => seen.filter((s) => s === 'PUT /api/v1/message').length >= before + 2, 'redelivery');
    await second;
    await until(() => network.server.pendingCount(device) === 0, 'ack after redelivery');
    expect(socket.connectCount).toBeGreaterThanOrEqual(2);
    await socket.stop();
    expect(socket.state).toBe('stopped');
  });

  it('keepalives are answered while an incoming message is still being handled', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let got = false;
    const connection = await openChatConnection({
      endpoint: network.config.chat,
      trustRootsPem: network.config.tlsTrustRootsPem,
      openSocket: directSocketOpener,
      auth: { username: `${account.aci}.1`, password: account.password },
      keepaliveIntervalMs: 50,
      keepaliveTimeoutMs: 2000,
      onRequest: async (request) => {
        if (request.path === '/api/v1/message') {
          got = true;
          await held;
        }
      },
    });
    const sending = alice.sendText(account.aci, 'slow');
    await until(() => got, 'delivery');
    // Several keepalive rounds pass while the handler is pending.
    for (let i = 0; i < 5; i += 1) {
      expect((await connection.request({ verb: 'GET', path: '/v1/keepalive' })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 60));
    }
    expect(connection.isOpen).toBe(true);
    release();
    await sending;
    const info = await connection.close();
    expect(info.error).toBeUndefined();
  });

  it('REST over HTTP/2 reaches the mock: CDN download, auth-checked routes', async () => {
    const rest = new RestClient({
      endpoint: network.config.cdn['3']!,
      trustRootsPem: network.config.tlsTrustRootsPem,
      openSocket: directSocketOpener,
    });
    const key = await network.server.storeDemoAttachment(Buffer.from('attachment bytes'));
    const download = await rest.requestOk({ method: 'GET', path: `/attachments/${key}` });
    expect(download.body.toString()).toBe('attachment bytes');
    const anonymous = await rest.request({ method: 'GET', path: '/v1/unknown' });
    expect(anonymous.status).toBeGreaterThanOrEqual(400);
    const authed = await rest
      .requestOk({
        method: 'GET',
        path: '/v1/unknown',
        auth: { username: `${account.aci}.1`, password: account.password },
      })
      .catch((e: unknown) => e);
    expect(authed).toBeInstanceOf(ServerError);
    expect((authed as ServerError).status).toBe(404);
    rest.close();
  });

  it('requests over the socket match responses by id', async () => {
    const socket = socketFor(() => Promise.resolve());
    socket.start();
    const [whoami, keys] = await Promise.all([
      socket.requestJson({ verb: 'GET', path: '/v1/accounts/whoami' }),
      socket.requestJson({ verb: 'GET', path: '/v2/keys?identity=aci' }),
    ]);
    expect((whoami as { uuid: string }).uuid).toBe(account.aci);
    expect(typeof (keys as { count: number }).count).toBe('number');
    await expect(socket.requestOk({ verb: 'GET', path: '/v1/no/such/route' })).rejects.toBeInstanceOf(
      ServerError,
    );
    await socket.stop();
  });

  it('reconnects after the server drops the socket, and gets the queue again', async () => {
    const states: ChatSocketState[] = [];
    let empties = 0;
    const socket = socketFor((request) => {
      if (request.path === '/api/v1/queue/empty') empties += 1;
      return Promise.resolve();
    }, states);
    socket.start();
    await socket.waitForOpen();
    await until(() => empties === 1, 'first queue empty');
    expect(network.server.disconnect(device)).toBe(true);
    await until(() => empties === 2, 'queue empty after reconnect');
    expect(socket.connectCount).toBe(2);
    expect(states).toContain('waiting');
    expect(states.at(-1)).toBe('open');
    await socket.stop();
  });

  it('stops (state "replaced") when another socket for the same device takes over, and can start again', async () => {
    const first = socketFor(() => Promise.resolve());
    first.start();
    await first.waitForOpen();
    const second = socketFor(() => Promise.resolve());
    second.start();
    await second.waitForOpen();
    await until(() => first.state === 'replaced', 'first replaced');
    expect(second.state).toBe('open');
    await second.stop();
    first.start();
    await first.waitForOpen();
    expect(first.state).toBe('open');
    await first.stop();
  });

  it('stops retrying when the server rejects the credentials', async () => {
    const states: ChatSocketState[] = [];
    const socket = new ChatSocket({
      endpoint: network.config.chat,
      trustRootsPem: network.config.tlsTrustRootsPem,
      openSocket: directSocketOpener,
      auth: { username: `${account.aci}.1`, password: 'wrong-password' },
      backoff: { initialMs: 50, maxMs: 100 },
      onStateChange: (state) => states.push(state),
    });
    socket.start();
    await until(() => socket.state === 'auth-failed', 'auth failure');
    await expect(socket.waitForOpen()).rejects.toBeInstanceOf(ServerError);
    await socket.stop();
  });
});

describe('backoffDelay', () => {
  it('grows exponentially up to the ceiling, with jitter in [d/2, d]', () => {
    const opts = { initialMs: 1000, maxMs: 60_000 };
    expect(backoffDelay(0, opts, () => 0)).toBe(500);
    expect(backoffDelay(0, opts, () => 1)).toBe(1000);
    expect(backoffDelay(3, opts, () => 1)).toBe(8000);
    expect(backoffDelay(20, opts, () => 1)).toBe(60_000);
    expect(backoffDelay(20, opts, () => 0)).toBe(30_000);
  });
});

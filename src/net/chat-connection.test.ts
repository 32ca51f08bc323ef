import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerError } from '../errors.js';
import type { RegisteredAccount } from '../account/registration.js';
import { startDemoNetwork, type DemoContact, type DemoNetwork } from '../demo/network.js';
import { registerDemoAccount } from '../demo/test-support/register-demo-account.js';
import { SignalProtocolStores } from '../signal/stores/index.js';
import { openTestDb } from '../test-support/db.js';
import { createTestDir, type TestDir } from '../test-support/files.js';
import type { Device } from '@signalapp/mock-server';
import { openChatConnection, parseJsonBody, type IncomingRequest } from './chat-connection.js';
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

describe('authenticated chat connection against the mock server', () => {
  let network: DemoNetwork;
  let dir: TestDir;
  let account: RegisteredAccount;
  let device: Device;
  let alice: DemoContact;

  beforeAll(async () => {
    network = await startDemoNetwork();
    dir = createTestDir('carapace-chat-');
    account = await registerDemoAccount(network, new SignalProtocolStores(openTestDb(`${dir.path}/me.db`)), {
      oneTimePreKeyCount: 5,
    });
    device = (await network.server.getDeviceByServiceId(account.aci as never))!;
    alice = await network.createContact('Alice');
  });
  afterAll(async () => {
    await network.close();
    dir.dispose();
  });

  function connect(
    onRequest: (request: IncomingRequest) => Promise<number | void> = () => Promise.resolve(),
  ) {
    return openChatConnection({
      endpoint: network.config.chat,
      trustRootsPem: network.config.tlsTrustRootsPem,
      openSocket: directSocketOpener,
      auth: { username: `${account.aci}.${account.deviceId}`, password: account.password },
      onRequest,
    });
  }

  it('acks an incoming message only after the handler resolved; a failed handler leaves it queued', async () => {
    const seen: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let failNext = false;
    const handler = async (request: IncomingRequest): Promise<void> => {
      seen.push(`${request.verb} ${request.path}`);
      if (request.path === '/api/v1/message') {
        if (failNext) {
          failNext = false;
          throw new Error('vault write failed');
        }
        await held;
      }
    };
    const first = await connect(handler);
    await until(() => seen.includes('PUT /api/v1/queue/empty'), 'queue empty');

    // The mock's send resolves only once delivered and acknowledged, so do not await it yet.
    const sending = alice.sendText(account.aci, 'hello');
    await until(() => seen.includes('PUT /api/v1/message'), 'message delivery');
    // The handler has not resolved: the server still holds the message.
    expect(network.server.pendingCount(device)).toBe(1);
    release();
    await sending;
    await until(() => network.server.pendingCount(device) === 0, 'ack');

    // A handler that throws answers 500: the server keeps the message (and drops the socket); the
    // next connection gets it again.
    failNext = true;
    const before = seen.filter((s) => s === 'PUT /api/v1/message').length;
    const second = alice.sendText(account.aci, 'second');
    await until(() => seen.filter((s) => s === 'PUT /api/v1/message').length === before + 1, 'delivery');
    await first.closed;
    expect(network.server.pendingCount(device)).toBe(1);
    const again = await connect(handler);
    await until(() => seen.filter((s) => s === 'PUT /api/v1/message').length >= before + 2, 'redelivery');
    await second;
    await until(() => network.server.pendingCount(device) === 0, 'ack after redelivery');
    await again.close();
  });

  it('a message over the frame limit is acked and skipped once, not a reconnect loop; the next one arrives on the same socket (13.5)', async () => {
    const bodies: number[] = [];
    const connection = await openChatConnection({
      endpoint: network.config.chat,
      trustRootsPem: network.config.tlsTrustRootsPem,
      openSocket: directSocketOpener,
      auth: { username: `${account.aci}.${account.deviceId}`, password: account.password },
      keepaliveIntervalMs: 0,
      maxPayloadBytes: 64 * 1024,
      onRequest: (request) => {
        if (request.path === '/api/v1/message') bodies.push(request.body?.length ?? 0);
        return Promise.resolve();
      },
    });
    const oversize = alice.sendText(account.aci, 'x'.repeat(100 * 1024));
    const next = alice.sendText(account.aci, 'after');
    await until(() => bodies.length === 1 && network.server.pendingCount(device) === 0, 'the next message');
    await Promise.all([oversize, next]);
    expect(bodies[0]).toBeLessThan(64 * 1024); // the small one; the oversize one never reached the handler
    expect(connection.isOpen).toBe(true);
    const info = await connection.close();
    expect(info.error).toBeUndefined();
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
    const connection = await connect();
    const [whoami, keys] = await Promise.all([
      connection.requestOk({ verb: 'GET', path: '/v1/accounts/whoami' }).then(parseJsonBody),
      connection.requestOk({ verb: 'GET', path: '/v2/keys?identity=aci' }).then(parseJsonBody),
    ]);
    expect((whoami as { uuid: string }).uuid).toBe(account.aci);
    expect(typeof (keys as { count: number }).count).toBe('number');
    await expect(connection.requestOk({ verb: 'GET', path: '/v1/no/such/route' })).rejects.toBeInstanceOf(
      ServerError,
    );
    await connection.close();
  });

  it('closes with the "replaced" code when another connection for the same device takes over', async () => {
    const first = await connect();
    const second = await connect();
    expect((await first.closed).code).toBe(4409); // the server's "replaced" close code
    expect(second.isOpen).toBe(true);
    await second.close();
  });

  it('refuses wrong credentials with a ServerError', async () => {
    const refused = await openChatConnection({
      endpoint: network.config.chat,
      trustRootsPem: network.config.tlsTrustRootsPem,
      openSocket: directSocketOpener,
      auth: { username: `${account.aci}.1`, password: 'wrong-password' },
    })
      .then((connection) => connection.closed.then((info) => info.error))
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ServerError);
  });
});

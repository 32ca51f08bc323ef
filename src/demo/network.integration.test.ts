/**
 * End to end on the demo network with real clients: our transport + registration + the signal
 * engineer's cipher. Proves the demo extensions: Echo answers, and two registered Carapace accounts can
 * message each other (stock mock-server drops such messages), including with sealed sender.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegisteredAccount } from '../account/registration.js';
import { ProfileKey } from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import {
  openChatConnection,
  parseJsonBody,
  type ChatConnection,
  type IncomingRequest,
} from '../net/chat-connection.js';
import { directSocketOpener } from '../net/direct-opener.js';
import type { PreKeyBundleJson } from '../signal/cipher.js';
import { SignalCipher, parseTrustRoots, type DecryptResult } from '../signal/test-support/signal-cipher.js';
import { SignalProtocolStores } from '../signal/stores/index.js';
import { openTestDb } from '../test-support/db.js';
import { createTestDir, type TestDir } from '../test-support/files.js';
import { startDemoNetwork, type DemoNetwork } from './network.js';
import { registerDemoAccount } from './test-support/register-demo-account.js';

interface Client {
  account: RegisteredAccount;
  cipher: SignalCipher;
  socket: ChatConnection;
  received: Extract<DecryptResult, { kind: 'content' }>[];
}

async function until(condition: () => boolean, what: string, limitMs = 15_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('demo network end to end', () => {
  let network: DemoNetwork;
  let dir: TestDir;
  const clients: Client[] = [];

  async function client(name: string): Promise<Client> {
    const stores = new SignalProtocolStores(openTestDb(`${dir.path}/${name}.db`));
    const account = await registerDemoAccount(network, stores, { oneTimePreKeyCount: 5 });
    const cipher = new SignalCipher(stores, {
      deviceId: 1,
      trustRoots: parseTrustRoots(network.config.unidentifiedDeliveryTrustRoots),
    });
    const received: Client['received'] = [];
    const socket = await openChatConnection({
      endpoint: network.config.chat,
      trustRootsPem: network.config.tlsTrustRootsPem,
      openSocket: directSocketOpener,
      auth: { username: `${account.aci}.1`, password: account.password },
      onRequest: async (request: IncomingRequest) => {
        if (request.path !== '/api/v1/message' || !request.body) return 200;
        const result = await cipher.decrypt(request.body);
        if (result.kind === 'content') received.push(result);
        return 200;
      },
    });
    const c = { account, cipher, socket, received };
    clients.push(c);
    return c;
  }

  async function sendText(
    from: Client,
    toAci: string,
    body: string,
    options: { sealed?: { accessKey: Uint8Array } } = {},
  ): Promise<number> {
    if (!from.cipher.hasSession(toAci, 1)) {
      const bundle = parseJsonBody(
        await from.socket.requestOk({
          verb: 'GET',
          path: `/v2/keys/${toAci}/*`,
        }),
      ) as PreKeyBundleJson;
      await from.cipher.processPreKeyBundle(toAci, bundle);
    }
    const timestamp = Date.now();
    let senderCertificate: Uint8Array | undefined;
    if (options.sealed) {
      const cert = parseJsonBody(
        await from.socket.requestOk({ verb: 'GET', path: '/v1/certificate/delivery' }),
      ) as {
        certificate: string;
      };
      senderCertificate = Buffer.from(cert.certificate, 'base64');
    }
    const message = await from.cipher.encrypt(
      toAci,
      1,
      { dataMessage: { body, timestamp } },
      senderCertificate ? { senderCertificate } : {},
    );
    const headers = options.sealed
      ? [`unidentified-access-key:${Buffer.from(options.sealed.accessKey).toString('base64')}`]
      : [];
    if (options.sealed) {
      // Sealed sender goes over an unauthenticated request: only the access key proves the right to send.
      const anonymous = await openChatConnection({
        endpoint: network.config.chat,
        trustRootsPem: network.config.tlsTrustRootsPem,
        openSocket: directSocketOpener,
        keepaliveIntervalMs: 0,
      });
      try {
        await anonymous.requestOk({
          verb: 'PUT',
          path: `/v1/messages/${toAci}`,
          json: { messages: [message], timestamp },
          headers,
        });
      } finally {
        await anonymous.close();
      }
    } else {
      await from.socket.requestOk({
        verb: 'PUT',
        path: `/v1/messages/${toAci}`,
        json: { messages: [message], timestamp },
      });
    }
    return timestamp;
  }

  beforeAll(async () => {
    network = await startDemoNetwork();
    dir = createTestDir('carapace-e2e-');
  });
  afterAll(async () => {
    for (const c of clients) await c.socket.close();
    await network.close();
    dir.dispose();
  });

  it('Echo answers a text message with receipts and "Echo: <text>"', async () => {
    const echo = await network.createContact('Echo', { echo: true });
    const me = await client('me');
    const sent = await sendText(me, echo.aci, 'ping');
    await until(() => me.received.some((r) => r.content.dataMessage?.body === 'Echo: ping'), 'echo reply');
    const receipts = me.received.filter((r) => r.content.receiptMessage);
    expect(receipts.length).toBeGreaterThanOrEqual(2);
    expect(receipts.every((r) => r.content.receiptMessage?.timestamp?.includes(sent))).toBe(true);
    expect(me.received.every((r) => r.sender.serviceId === echo.aci)).toBe(true);
    // Echo shares its profile key, so we can derive its access key and reach it with sealed sender.
    const reply = me.received.find((r) => r.content.dataMessage?.body === 'Echo: ping')!;
    const echoProfileKey = reply.content.dataMessage?.profileKey;
    expect(echoProfileKey?.length).toBe(32);
    const accessKey = new ProfileKey(Buffer.from(echoProfileKey!)).deriveAccessKey();
    await sendText(me, echo.aci, 'sealed ping', { sealed: { accessKey } });
    await until(
      () => me.received.some((r) => r.content.dataMessage?.body === 'Echo: sealed ping'),
      'sealed echo',
    );
  });

  it('two registered Carapace accounts message each other, plain and sealed sender', async () => {
    const a = await client('a');
    const b = await client('b');
    await sendText(a, b.account.aci, 'hi b');
    await until(() => b.received.some((r) => r.content.dataMessage?.body === 'hi b'), 'a → b');
    expect(b.received.at(-1)?.sender.serviceId).toBe(a.account.aci);
    expect(b.received.at(-1)?.sealed).toBe(false);

    // Sealed sender to a: the demo server learnt a's access key from its registration attributes.
    const accessKey = new ProfileKey(Buffer.from(a.account.profileKey)).deriveAccessKey();
    await sendText(b, a.account.aci, 'hi a, sealed', { sealed: { accessKey } });
    await until(() => a.received.some((r) => r.content.dataMessage?.body === 'hi a, sealed'), 'b → a sealed');
    const got = a.received.find((r) => r.content.dataMessage?.body === 'hi a, sealed')!;
    expect(got.sealed).toBe(true);
    expect(got.sender.serviceId).toBe(b.account.aci);
  });
});

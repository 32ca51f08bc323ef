/**
 * Transport: how fast the demo server can hand a queued backlog to a client through our stack
 * (pinned TLS → HTTP/2 → RFC 8441 WebSocket → WebSocketResources framing, ack per message), with one
 * message in flight (deliveryWindow 1, the demo default) and pipelined (window 32). The handler does no
 * work, so this is the transport ceiling the messaging pipeline runs under. Also: sequential request
 * round trips per second (GET /v1/keepalive).
 */
import type { Device } from '@signalapp/mock-server';
import { startDemoNetwork } from '../src/demo/network.js';
import { registerDemoAccount } from '../src/demo/test-support/register-demo-account.js';
import { openChatConnection } from '../src/net/chat-connection.js';
import { directSocketOpener } from '../src/net/direct-opener.js';
import { SignalProtocolStores } from '../src/signal/stores/index.js';
import { openTestDb } from '../src/test-support/db.js';
import { createTestDir } from '../src/test-support/files.js';
import type { BenchModule } from './types.js';

const MESSAGES = 2000;
const ROUND_TRIPS = 1000;

interface Point {
  readonly window: number;
  readonly messages: number;
  readonly ms: number;
  readonly perSecond: number;
  readonly roundTripsPerSecond: number;
}

async function measure(window: number): Promise<Point> {
  const network = await startDemoNetwork({ deliveryWindow: window });
  const dir = createTestDir('carapace-bench-transport-');
  try {
    const stores = new SignalProtocolStores(openTestDb(`${dir.path}/me.db`));
    const account = await registerDemoAccount(network, stores, { oneTimePreKeyCount: 1 });
    const device = (await network.server.getDeviceByServiceId(account.aci as never)) as Device;
    const payload = Buffer.alloc(300, 7); // about a sealed-sender text envelope
    const sent = Array.from({ length: MESSAGES }, () => network.server.send(device, Buffer.from(payload)));
    let received = 0;
    const start = performance.now();
    const socket = await openChatConnection({
      endpoint: network.config.chat,
      trustRootsPem: network.config.tlsTrustRootsPem,
      openSocket: directSocketOpener,
      auth: { username: `${account.aci}.1`, password: account.password },
      onRequest: (request) => {
        if (request.path === '/api/v1/message') received += 1;
        return Promise.resolve(200);
      },
    });
    await Promise.all(sent);
    const ms = performance.now() - start;
    if (received < MESSAGES) throw new Error('not all messages arrived');

    const rtStart = performance.now();
    for (let i = 0; i < ROUND_TRIPS; i += 1) await socket.requestOk({ verb: 'GET', path: '/v1/keepalive' });
    const rtMs = performance.now() - rtStart;
    await socket.close();
    return {
      window,
      messages: MESSAGES,
      ms: Math.round(ms),
      perSecond: Math.round((MESSAGES / ms) * 1000),
      roundTripsPerSecond: Math.round((ROUND_TRIPS / rtMs) * 1000),
    };
  } finally {
    await network.close();
    dir.dispose();
  }
}

export const transportBench: BenchModule = {
  name: 'transport',
  async run() {
    const serial = await measure(1);
    const pipelined = await measure(32);
    const ratio = Math.round((pipelined.perSecond / serial.perSecond) * 1000) / 1000;
    process.stdout.write(
      `  transport: window 1 ${serial.perSecond} msg/s, window 32 ${pipelined.perSecond} msg/s, ` +
        `${serial.roundTripsPerSecond} request round trips/s\n`,
    );
    return {
      ratio,
      ratioMeaning:
        'backlog delivery through TLS/HTTP2/WebSocket with 32 messages in flight ÷ with 1 in flight (demo server → client, ack per message, empty handler), messages/second; higher is better',
      details: {
        points: [serial, pipelined],
        notes:
          'Both run in one process (server and client share the event loop and the 2 shared cores), so absolute numbers are a floor; the ratio shows what pipelining buys.',
      },
    };
  },
};

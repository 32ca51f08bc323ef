/**
 * Send benchmark (like Signal-Desktop's send benchmark): in a conversation that already holds 500
 * messages, (1) the time from the messaging client's send call to the server's acceptance (the message
 * stored, encrypted with sealed sender, PUT over the unauthenticated socket, state "sent") for 200 texts
 * one after another, and (2) the throughput of 1,000 sends queued at once. The demo server runs in its own
 * process. Beside them, in the same run, the in-process limit: the same work without the network — store
 * the message (pending), encrypt it sealed for the contact's device, mark it sent: two commits + one
 * encrypt per message, one after another.
 * ratio = median send latency ÷ limit time per message (lower is better; what the network path costs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SenderCertificate } from '@signalapp/libsignal-client';
import { MessagingClient } from '../src/messaging/client.js';
import { SignalAdapter } from '../src/messaging/signal-adapter.js';
import { registerTestAccount } from '../src/messaging/test-support/account.js';
import { parseClientConfig } from '../src/net/config.js';
import { encodeContent } from '../src/signal/proto/signal-service.js';
import { SignalProtocolStores } from '../src/signal/stores/index.js';
import { TEST_KDF, TEST_PASSPHRASE } from '../src/test-support/vault.js';
import { Vault } from '../src/vault/index.js';
import { ServerProcess } from './server-process.js';
import type { BenchModule } from './types.js';

const HISTORY = 500;
const SEQUENTIAL = 200;
const QUEUED = 1_000;
const LIMIT_MESSAGES = 500;

const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

export const sendBench: BenchModule = {
  name: 'send',
  async run() {
    const server = new ServerProcess(128);
    const profileDir = mkdtempSync(join(tmpdir(), 'carapace-bench-send-'));
    try {
      const config = parseClientConfig((await server.next('ready')).config);
      const vault = new Vault(profileDir, { kdf: TEST_KDF });
      await vault.create(Buffer.from(TEST_PASSPHRASE));
      const account = await registerTestAccount(vault.db, config);
      const contactReply = server.next('contact');
      server.send({ type: 'contact', name: 'Send' });
      const contactAci = String((await contactReply).aci);
      // The conversation's history: 500 messages from the contact (they also bring its profile key, so
      // our sends to it are sealed).
      const queued = server.next('queued');
      const acked = server.next('acked');
      server.send({
        type: 'queue',
        to: account.aci,
        from: contactAci,
        count: HISTORY,
        base: Date.now() - 3_600_000,
      });
      await queued;
      const client = await MessagingClient.start({
        vault,
        config,
        credentials: account,
        keepaliveIntervalMs: 0,
        attachments: false,
      });
      await acked;
      const conversationId = client.store.findConversationByServiceId(contactAci)?.id;
      if (!conversationId) throw new Error('send bench: no conversation');
      const loadBefore = loadavg()[0] ?? 0;

      // Warm-up: the first send fetches the contact's prekeys and our sender certificate.
      await client.sendText(conversationId, 'warm-up');
      const latencies: number[] = [];
      const sequentialCpu = process.cpuUsage();
      for (let i = 0; i < SEQUENTIAL; i += 1) {
        const start = performance.now();
        const message = await client.sendText(conversationId, `sequential ${i}`);
        latencies.push(performance.now() - start);
        if (message.status !== 'sent' && message.status !== 'delivered')
          throw new Error(`send bench: status ${message.status}`);
      }
      const { user, system } = process.cpuUsage(sequentialCpu);
      const sequentialCpuMsPerMessage = (user + system) / 1000 / SEQUENTIAL;
      const queuedStart = performance.now();
      const sent = await Promise.all(
        Array.from({ length: QUEUED }, (_, i) => client.sendText(conversationId, `queued ${i}`)),
      );
      const queuedMs = performance.now() - queuedStart;
      if (sent.some((m) => m.status === 'failed')) throw new Error('send bench: a queued send failed');
      const sealed = client.sender.stats.sealed;

      // In-process limit: store (pending) → sealed encrypt → mark sent, no network.
      const certificateResponse = await client.accountRequest({
        verb: 'GET',
        path: '/v1/certificate/delivery?includeE164=false',
      });
      const body = JSON.parse(Buffer.from(certificateResponse.body ?? []).toString()) as {
        certificate: string;
      };
      const certificate = SenderCertificate.deserialize(Buffer.from(body.certificate, 'base64'));
      await client.stop();
      const store = client.store;
      const adapter = new SignalAdapter(
        new SignalProtocolStores(vault.db),
        account,
        config.unidentifiedDeliveryTrustRoots,
      );
      const [deviceId] = adapter.deviceIds(contactAci);
      if (deviceId === undefined) throw new Error('send bench: no session with the contact');
      const stageMs = { storePending: 0, encrypt: 0, markSent: 0 };
      let mark = performance.now();
      const lap = (stage: keyof typeof stageMs): void => {
        const now = performance.now();
        stageMs[stage] += now - mark;
        mark = now;
      };
      const limitStart = performance.now();
      for (let i = 0; i < LIMIT_MESSAGES; i += 1) {
        mark = performance.now();
        const timestamp = Date.now() * 1000 + i;
        const text = `limit ${i}`;
        const message = store.transaction(() =>
          store.insertOutgoing({
            conversationId,
            sourceServiceId: account.aci,
            sourceDevice: account.deviceId,
            sentAt: timestamp,
            body: text,
            expireTimerSeconds: null,
            status: 'pending',
          }),
        );
        lap('storePending');
        await adapter.encrypt(
          contactAci,
          deviceId,
          encodeContent({ dataMessage: { body: text, timestamp } }),
          certificate,
        );
        lap('encrypt');
        store.transaction(() => store.setStatus(message.id, 'sent'));
        lap('markSent');
      }
      const limitMsPerMessage = (performance.now() - limitStart) / LIMIT_MESSAGES;
      vault.lock('shutdown');

      const median = quantile(latencies, 0.5);
      const queuedPerSecond = (QUEUED * 1000) / queuedMs;
      const limitPerSecond = 1000 / limitMsPerMessage;
      return {
        ratio: round(median / limitMsPerMessage),
        ratioMeaning:
          'median time from the send call to state "sent" (sealed, over the demo server in its own process) ÷ the in-process limit per message (store + sealed encrypt + mark sent, no network), in a 500-message conversation; lower is better',
        target: '— (first measurement; Signal-Desktop reports the same two figures)',
        details: {
          historyMessages: HISTORY,
          sequential: {
            messages: SEQUENTIAL,
            medianMs: round(median),
            p90Ms: round(quantile(latencies, 0.9)),
            maxMs: round(Math.max(...latencies)),
          },
          queued: {
            messages: QUEUED,
            ms: round(queuedMs, 1),
            perSecond: round(queuedPerSecond, 1),
            ratioToLimit: round(queuedPerSecond / limitPerSecond, 3),
          },
          limit: {
            messages: LIMIT_MESSAGES,
            msPerMessage: round(limitMsPerMessage, 3),
            perSecond: round(limitPerSecond, 1),
            // Wall ms per message of each step; encrypt includes the session's own autocommit write.
            stagesMs: {
              storePending: round(stageMs.storePending / LIMIT_MESSAGES, 3),
              encrypt: round(stageMs.encrypt / LIMIT_MESSAGES, 3),
              markSent: round(stageMs.markSent / LIMIT_MESSAGES, 3),
            },
          },
          // Client CPU per sequential send: the rest of the median is waiting for the server's answer.
          sequentialCpuMsPerMessage: round(sequentialCpuMsPerMessage, 3),
          sealedSends: sealed,
          loadAverage: round(loadBefore),
          notes:
            'The client is the app’s MessagingClient (the API handler adds only its input parse); sends go sealed over the unauthenticated chat socket, one PUT /v1/messages per message, each waiting for the server’s 200. Queued sends share the one write queue: each stores, encrypts and marks sent inside it, the network waits outside it.',
        },
      };
    } finally {
      await server.close();
      rmSync(profileDir, { recursive: true, force: true });
    }
  },
};

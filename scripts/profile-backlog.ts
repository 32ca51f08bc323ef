/**
 * `tsx scripts/profile-backlog.ts [messages] [--cpu-prof out.cpuprofile]`: where a received message's time
 * goes. A contact on the demo network (its own process) queues N sealed-sender messages; the client drains
 * them once (capturing the envelopes); then the app's Receiver takes the same envelopes on copies of the
 * pre-drain vault, one commit per message and batched, with each stage timed (bench/receive-stages.ts).
 * With --cpu-prof, writes V8 CPU profiles of the batched pass (<out>) and of the drain through the network
 * (<out>.pipeline.cpuprofile); read them with scripts/profile-summary.ts. A diagnostic, not a benchmark.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessagingClient } from '../src/messaging/client.js';
import { registerTestAccount } from '../src/messaging/test-support/account.js';
import { parseClientConfig } from '../src/net/config.js';
import { TEST_KDF, TEST_PASSPHRASE } from '../src/test-support/vault.js';
import { Vault } from '../src/vault/index.js';
import { cpuMs, timedReceivePass } from '../bench/receive-stages.js';
import { ServerProcess } from '../bench/server-process.js';

const messages = Number(process.argv[2] ?? 2000);
const profileOut = process.argv.includes('--cpu-prof')
  ? process.argv[process.argv.indexOf('--cpu-prof') + 1]
  : undefined;

/** Runs `work` under the V8 profiler when a profile was asked for, writing it to `out`. */
async function profiled<T>(out: string | undefined, work: () => Promise<T>): Promise<T> {
  if (!out) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(out, JSON.stringify(profile));
    session.disconnect();
  }
}

const server = new ServerProcess(128);
const root = mkdtempSync(join(tmpdir(), 'carapace-profile-backlog-'));
try {
  const config = parseClientConfig((await server.next('ready')).config);
  const profileDir = join(root, 'profile');
  let vault = new Vault(profileDir, { kdf: TEST_KDF });
  await vault.create(Buffer.from(TEST_PASSPHRASE));
  const account = await registerTestAccount(vault.db, config);
  const contact = server.next('contact');
  server.send({ type: 'contact', name: 'Profile' });
  const from = String((await contact).aci);
  const queued = server.next('queued');
  const acked = server.next('acked');
  server.send({ type: 'queue', to: account.aci, from, count: messages, base: Date.now() - 3_600_000 });
  await queued;
  vault.lock('user');
  const copies = ['unbatched', 'batched'].map((name) => {
    const dir = join(root, name);
    cpSync(profileDir, dir, { recursive: true });
    return dir;
  });
  vault = new Vault(profileDir, { kdf: TEST_KDF });
  await vault.unlock(Buffer.from(TEST_PASSPHRASE));
  const captured: Uint8Array[] = [];
  const drainCpu = cpuMs();
  const client = await profiled(profileOut && `${profileOut}.pipeline.cpuprofile`, async () => {
    const started = await MessagingClient.start({
      vault,
      config,
      credentials: account,
      keepaliveIntervalMs: 0,
      onEnvelope: (bytes) => captured.push(new Uint8Array(bytes)),
    });
    await acked;
    return started;
  });
  const pipelineCpuUsPerMessage = Math.round(((cpuMs() - drainCpu) * 1000) / messages);
  const pipelineBatches = client.receiver.stats.batches;
  await client.stop();
  vault.lock('shutdown');
  const [unbatchedDir, batchedDir] = copies as [string, string];
  const result = {
    messages,
    pipeline: { cpuUsPerMessage: pipelineCpuUsPerMessage, batches: pipelineBatches },
    unbatched: await timedReceivePass(unbatchedDir, captured, account, config, false),
    batched: await timedReceivePass(batchedDir, captured, account, config, true, (work) =>
      profiled(profileOut, work),
    ),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await server.close();
  rmSync(root, { recursive: true, force: true });
}

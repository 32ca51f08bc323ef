/**
 * Soak (issue 13 "Done when"): the client on the demo network through a real SOCKS5 proxy (microsocks,
 * 127.0.0.1 only) while the proxy is killed and restored, and every socket through it dropped, several
 * times; meanwhile simulated contacts send text and attachments and the Echo contact answers our messages
 * with receipts. Ends with every message stored exactly once, every attachment downloaded, our messages
 * delivered and the client online. Bounded: a fixed number of rounds, each wait with a timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig } from '../net/config.js';
import { startMicrosocks, type Microsocks } from '../net/test-support/socks.js';
import type { Message } from './contract.js';
import type { CoreService } from './service.js';
import { createTestCore, registerThroughService, type TestCore } from './test-support/core.js';
import { nextEvent, value } from './test-support/events.js';

const PASS = 'soak test passphrase 1313';
const NUMBER = '+15550001399';
const ROUNDS = 6;
const TEXTS_PER_ROUND = 3;
const SERVER_CHILD = fileURLToPath(new URL('./test-support/soak-network-child.ts', import.meta.url));

/** The demo network in its own process (src/api/test-support/soak-network-child.ts). */
class DemoServerProcess {
  readonly #child: ChildProcess;
  readonly #replies = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  #nextId = 1;
  readonly ready: Promise<ClientConfig>;

  constructor() {
    this.#child = spawn(process.execPath, ['--import', 'tsx', SERVER_CHILD], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env: { ...process.env, CARAPACE_LOG_LEVEL: 'error' },
    });
    this.ready = new Promise((resolve) => {
      this.#child.on('message', (raw) => {
        const message = raw as {
          type?: string;
          config?: ClientConfig;
          id?: number;
          value?: unknown;
          error?: string;
        };
        if (message.type === 'ready' && message.config) resolve(message.config);
        const reply = message.id === undefined ? undefined : this.#replies.get(message.id);
        if (!reply || message.id === undefined) return;
        this.#replies.delete(message.id);
        if (message.error !== undefined) reply.reject(new Error(`soak server: ${message.error}`));
        else reply.resolve(message.value);
      });
    });
  }

  call<T>(command: Record<string, unknown>): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#replies.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#child.send({ id, ...command });
    });
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.send({ id: 0, op: 'close' });
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

describe('soak: proxy and connections killed and restored while contacts send (demo network)', () => {
  let server: DemoServerProcess;
  let proxy: Microsocks;
  let core: TestCore;
  let service: CoreService;
  let ourAci = '';
  let timestamp = Date.now();
  const chats = new Map<string, string>(); // contact name → conversation id
  /** The contacts' sends: each resolves once the server handed the envelope to us and we acked it. */
  const sends: Array<Promise<unknown>> = [];
  const aliceTimestamps: number[] = [];

  beforeAll(async () => {
    server = new DemoServerProcess();
    const config = await server.ready;
    proxy = await startMicrosocks();
    core = createTestCore({ networkConfig: config });
    service = core.service;
    await value(service.call('vault.create', { passphrase: PASS }));
    await value(
      service.call('settings.update', {
        patch: { proxy: { mode: 'socks5', host: proxy.host, port: proxy.port } },
      }),
    );
    ourAci = (await registerThroughService(service, NUMBER)).aci!;
    for (const name of ['Alice', 'Bob', 'Echo']) {
      const { aci } = await server.call<{ aci: string }>({ op: 'contact', name, echo: name === 'Echo' });
      const chat = await value(service.call('conversations.start', { serviceId: aci, name }));
      chats.set(name, chat.id);
    }
  }, 60_000);

  afterAll(async () => {
    await core?.dispose();
    await proxy?.stop();
    await server?.close();
  });

  /** A contact's message to us; not awaited here (we may be offline): it resolves once we acked it. */
  function contactSends(command: Record<string, unknown>): void {
    timestamp += 1; // distinct timestamps: (sender, device, timestamp) identifies a message
    if (command.from === 'Alice') aliceTimestamps.push(timestamp);
    sends.push(server.call({ ...command, to: ourAci, timestamp }));
  }

  async function page(name: string): Promise<Message[]> {
    const conversationId = chats.get(name)!;
    return (await value(service.call('messages.page', { conversationId, limit: 200 }))).messages;
  }

  /** Polls until `done` holds (the contacts' queued messages arrive after a reconnect), bounded. */
  async function eventually(done: () => Promise<boolean>, ms = 30_000): Promise<void> {
    const until = Date.now() + ms;
    while (!(await done())) {
      if (Date.now() > until) throw new Error('soak: timed out waiting for the final state');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('stores every message exactly once and ends online', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      // Traffic: texts (sealed and not) from Alice, a file from Bob, our message to Echo (receipts back).
      for (let i = 0; i < TEXTS_PER_ROUND; i += 1) {
        contactSends({ op: 'text', from: 'Alice', text: `text ${round}.${i}`, sealed: i % 2 === 0 });
      }
      contactSends({ op: 'file', from: 'Bob', body: `file ${round}` });
      const echoed = nextEvent(service, 'message.added', (p) => p.message.body === `Echo: ping ${round}`);
      await value(
        service.call('messages.send', { conversationId: chats.get('Echo')!, body: `ping ${round}` }),
      );
      await echoed;

      // Fault: even rounds the proxy is down for a while (proxy-error, then back); odd rounds every
      // socket through it is cut at once (the proxy restarts on the same port).
      const failed = nextEvent(service, 'network.status', (p) => p.status !== 'online');
      const port = proxy.port;
      await proxy.stop();
      await failed;
      if (round % 2 === 0) {
        await nextEvent(service, 'network.status', (p) => p.status === 'proxy-error');
        // More traffic queues up on the server while we cannot reach it.
        contactSends({ op: 'text', from: 'Alice', text: `offline ${round}`, sealed: true });
      }
      const online = nextEvent(service, 'network.status', (p) => p.status === 'online');
      proxy = await startMicrosocks({ port });
      await online;
    }

    await Promise.all(sends);
    const expectedAlice = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      for (let i = 0; i < TEXTS_PER_ROUND; i += 1) expectedAlice.push(`text ${round}.${i}`);
      if (round % 2 === 0) expectedAlice.push(`offline ${round}`);
    }
    await eventually(async () => {
      const files = (await page('Bob')).filter((m) => m.direction === 'in');
      return files.length === ROUNDS && files.every((m) => m.attachments.every((a) => a.state === 'ready'));
    });
    await eventually(async () =>
      (await page('Echo')).filter((m) => m.direction === 'out').every((m) => m.status === 'read'),
    );

    // Our delivery receipts reach Alice for every message, including those received around a fault.
    await eventually(async () => {
      const receipted = new Set(await server.call<number[]>({ op: 'receipts', name: 'Alice' }));
      return aliceTimestamps.every((ts) => receipted.has(ts));
    });

    const fromAlice = (await page('Alice')).filter((m) => m.direction === 'in').map((m) => m.body);
    expect(fromAlice.sort()).toEqual(expectedAlice.sort());
    const fromBob = (await page('Bob')).filter((m) => m.direction === 'in');
    expect(fromBob.map((m) => m.body).sort()).toEqual(Array.from({ length: ROUNDS }, (_, r) => `file ${r}`));
    expect(fromBob.every((m) => m.attachments.length === 1)).toBe(true);
    const echo = await page('Echo');
    for (let round = 0; round < ROUNDS; round += 1) {
      expect(echo.filter((m) => m.body === `ping ${round}`)).toHaveLength(1);
      expect(echo.filter((m) => m.body === `Echo: ping ${round}`)).toHaveLength(1);
    }
    expect([...(await page('Alice')), ...fromBob, ...echo].some((m) => m.kind === 'decryption-failed')).toBe(
      false,
    );
    // Still online at the end, and sending still works.
    await value(service.call('messages.send', { conversationId: chats.get('Echo')!, body: 'still here' }));
  }, 110_000);
});

/**
 * Test/bench-only: the measured memory wipe (issue 18 #4). A core process (core-child.ts, started with
 * --expose-gc) creates a vault with a random passphrase, registers on the demo network (its own process, so
 * the simulated contact's copies are not counted), locks and unlocks, sends and receives messages with
 * random markers, reads the conversation, checks and sets a PIN; then it locks and collects garbage. From
 * this process we count each marker in its memory twice — unlocked (the baseline) and locked — and in a
 * heap snapshot taken after the lock. Every marker is a random token; the vault key is derived again here
 * (src/vault/test-support/vault-key.ts), never read from the measured process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientConfig } from '../../../net/config.js';
import { createTestProfile } from '../../../test-support/vault.js';
import { deriveVaultKeyForTest } from '../../../vault/test-support/vault-key.js';
import {
  countInHeapSnapshot,
  scanProcessMemory,
  type MemoryScan,
  type Needle,
  type SnapshotCount,
} from './scan.js';

const CORE_CHILD = fileURLToPath(new URL('./core-child.ts', import.meta.url));
const SERVER_CHILD = fileURLToPath(new URL('../soak-network-child.ts', import.meta.url));

/** A child process answering `{ id, … }` requests with `{ id, value }` or `{ id, error }`. */
class RpcChild {
  readonly #child: ChildProcess;
  readonly #replies = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  readonly ready: Promise<Record<string, unknown>>;
  readonly exited: Promise<void>;

  constructor(name: string, nodeArgs: readonly string[], args: readonly string[], env: NodeJS.ProcessEnv) {
    this.#child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', ...args], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env: { ...process.env, CARAPACE_LOG_LEVEL: 'error', ...env },
    });
    this.exited = new Promise((resolve) => this.#child.once('exit', () => resolve()));
    this.ready = new Promise((resolve, reject) => {
      this.#child.once('exit', (code) => {
        const error = new Error(`${name} exited (${code})`);
        reject(error);
        for (const reply of this.#replies.values()) reply.reject(error);
      });
      this.#child.on('message', (raw) => {
        const message = raw as { type?: string; id?: number; value?: unknown; error?: string };
        if (message.type === 'ready') resolve(message);
        const reply = message.id === undefined ? undefined : this.#replies.get(message.id);
        if (!reply || message.id === undefined) return;
        this.#replies.delete(message.id);
        if (message.error !== undefined) reply.reject(new Error(`${name}: ${message.error}`));
        else reply.resolve(message.value);
      });
    });
    this.ready.catch(() => undefined);
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  call<T = unknown>(command: Record<string, unknown>, timeoutMs = 60_000): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out: ${String(command.op)}`)), timeoutMs);
      this.#replies.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.#child.send({ id, ...command });
    });
  }

  /** Asks the child to close (it exits without answering); kills it if it has not exited in time. */
  async close(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.connected) this.#child.send({ id: 0, op: 'close' });
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** The secrets of one run, each a fresh random token inside realistic text. */
function makeMarkers() {
  const token = (): string => randomBytes(8).toString('hex');
  const t = {
    passphrase: token(),
    pin: token(),
    sentOneByte: token(),
    sentTwoByte: token(),
    receivedOneByte: token(),
    receivedTwoByte: token(),
  };
  return {
    tokens: t,
    passphrase: `correct horse ${t.passphrase} battery`,
    pin: `Pin${t.pin}`,
    // A string with a character outside Latin-1 is kept by V8 as UTF-16; the others as one byte per char.
    sent: [`see you at ${t.sentOneByte}`, `🔒 meet at ${t.sentTwoByte}`],
    received: [`the code is ${t.receivedOneByte}`, `🔑 the key is ${t.receivedTwoByte}`],
  };
}

/** Each token as V8 keeps it in a one-byte string / UTF-8 / Latin-1 Buffer, and in a two-byte string. */
function tokenNeedles(tokens: Readonly<Record<string, string>>): Needle[] {
  return Object.entries(tokens).flatMap(([name, token]) => [
    { name: `${name}.oneByte`, bytes: Buffer.from(token, 'latin1') },
    { name: `${name}.twoByte`, bytes: Buffer.from(token, 'utf16le') },
  ]);
}

/**
 * A key's raw bytes — whole and each half, since a freed 32-byte block loses its first 16 bytes to the
 * allocator's free-list pointers — and its hex as a one-byte and a two-byte string.
 */
function keyNeedles(name: string, key: Buffer): Needle[] {
  const hex = key.toString('hex');
  return [
    { name: `${name}.raw`, bytes: Buffer.from(key) },
    { name: `${name}.rawFirstHalf`, bytes: Buffer.from(key.subarray(0, 16)) },
    { name: `${name}.rawSecondHalf`, bytes: Buffer.from(key.subarray(16)) },
    { name: `${name}.hex.oneByte`, bytes: Buffer.from(hex, 'latin1') },
    { name: `${name}.hex.twoByte`, bytes: Buffer.from(hex, 'utf16le') },
  ];
}

export interface MemoryWipeMeasurement {
  /** Occurrences in the whole readable memory of the core process, unlocked (after GC): the baseline. */
  readonly unlocked: MemoryScan;
  /** The same after lock + GC: what a memory dump would still find. */
  readonly locked: MemoryScan;
  /** Reachable objects holding each marker in a heap snapshot after lock + GC, with their retainers. */
  readonly heapSnapshot: Record<string, SnapshotCount>;
}

export interface MemoryWipeOptions {
  /** Extra environment for the core process (e.g. allocator settings). */
  readonly env?: NodeJS.ProcessEnv;
  /** Extra node/V8 flags for the core process. */
  readonly nodeFlags?: readonly string[];
}

export async function measureMemoryWipe(options: MemoryWipeOptions = {}): Promise<MemoryWipeMeasurement> {
  const markers = makeMarkers();
  const profile = createTestProfile('carapace-memory-');
  const server = new RpcChild('demo network', [], [SERVER_CHILD], {});
  let core: RpcChild | undefined;
  const needles: Needle[] = [];
  try {
    const { config } = (await server.ready) as { config: ClientConfig };
    core = new RpcChild(
      'core',
      ['--expose-gc', ...(options.nodeFlags ?? [])],
      [CORE_CHILD, profile.dir, JSON.stringify(config)],
      options.env ?? {},
    );
    await core.ready;
    const invoke = async (command: string, input: unknown, pick: string[] = []) => {
      const result = await core!.call<{ ok: boolean; code?: string } & Record<string, unknown>>({
        op: 'invoke',
        command,
        input,
        pick,
      });
      if (!result.ok) throw new Error(`${command}: ${result.code ?? 'failed'}`);
      return result;
    };

    await invoke('vault.create', { passphrase: markers.passphrase });
    const keys = await deriveVaultKeyForTest(profile.dir, markers.passphrase);
    needles.push(
      ...keyNeedles('vaultKey', keys.vaultKey),
      ...keyNeedles('kek', keys.kek),
      ...keyNeedles('kdfOutput', keys.kdfOutput),
      ...tokenNeedles(markers.tokens),
    );
    const keyHex = keys.vaultKey.toString('hex');
    for (const key of [keys.vaultKey, keys.kek, keys.kdfOutput]) key.fill(0);

    const e164 = `+1555${String(randomInt(1_000_000, 9_999_999))}`;
    await core.call({ op: 'register', e164 });
    await invoke('vault.lock', {});
    await invoke('vault.unlock', { passphrase: markers.passphrase });
    await core.call({ op: 'online' });
    const account = await invoke('account.status', {}, ['aci']);

    const { aci } = await server.call<{ aci: string }>({ op: 'contact', name: 'Marker', echo: false });
    const chat = await invoke('conversations.start', { serviceId: aci, name: 'Marker' }, ['id']);
    for (const body of markers.sent) await invoke('messages.send', { conversationId: chat.id, body });
    for (const [i, text] of markers.received.entries()) {
      await server.call({
        op: 'text',
        from: 'Marker',
        to: account.aci,
        text,
        sealed: i % 2 === 0,
        timestamp: Date.now() + i,
      });
    }
    await core.call({ op: 'incoming', count: markers.received.length });
    await invoke('conversation.open', { conversationId: chat.id });
    await invoke('pin.check', { pin: markers.pin });
    await invoke('pin.set', { pin: markers.pin, acceptWeak: true });

    await core.call({ op: 'gc' });
    const unlocked = scanProcessMemory(core.pid, needles);
    await invoke('vault.lock', {});
    await core.call({ op: 'gc' });
    // The raw scan first: writing a snapshot copies every string into native buffers of the core process.
    const locked = scanProcessMemory(core.pid, needles);
    const snapshotPath = join(dirname(profile.dir), 'core.heapsnapshot');
    await core.call({ op: 'snapshot', path: snapshotPath }, 120_000);
    const heapSnapshot = countInHeapSnapshot(snapshotPath, { ...markers.tokens, vaultKeyHex: keyHex });
    rmSync(snapshotPath, { force: true });
    return { unlocked, locked, heapSnapshot };
  } finally {
    for (const needle of needles) needle.bytes.fill(0);
    await core?.close();
    await server.close();
    profile.dispose();
  }
}

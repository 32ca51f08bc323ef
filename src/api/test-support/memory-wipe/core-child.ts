/**
 * Test/bench-only: the MEASURED process of the memory-wipe measurement (run.ts). It runs the core service
 * as the Electron main process would, driven over the Node IPC channel the way main's IPC adapter drives it:
 * every secret arrives as a string in a message and is handed to `service.invoke`, then dropped here. It
 * keeps no marker itself: events are counted, never kept. Started with --expose-gc (the measurement only).
 *
 *   child → { type: 'ready' }
 *   parent → { id, op: 'invoke', command, input, pick } child → { id, value: { ok, code?, …picked fields } }
 *   parent → { id, op: 'register', e164 }           child → { id } once registered and online
 *   parent → { id, op: 'incoming', count }          child → { id } once `count` messages came in
 *   parent → { id, op: 'online' }                   child → { id } once the client is online
 *   parent → { id, op: 'gc' }                       child → { id } after several full collections
 *   parent → { id, op: 'snapshot', path }           child → { id } after writing a heap snapshot there
 *   parent → { id, op: 'close' }                    child exits
 */
import { writeHeapSnapshot } from 'node:v8';
import type { ClientConfig } from '../../../net/config.js';
import { TEST_KDF } from '../../../test-support/vault.js';
import { createCoreService } from '../../service.js';
import { registerThroughService } from '../core.js';

type Command =
  | { id: number; op: 'invoke'; command: string; input: unknown; pick?: string[] }
  | { id: number; op: 'register'; e164: string }
  | { id: number; op: 'incoming'; count: number }
  | { id: number; op: 'online' }
  | { id: number; op: 'gc' }
  | { id: number; op: 'snapshot'; path: string }
  | { id: number; op: 'close' };

const [profileDir = '', configJson = '{}'] = process.argv.slice(2);
const service = createCoreService({
  profileDir,
  networkConfig: JSON.parse(configJson) as ClientConfig,
  vault: { kdf: TEST_KDF },
});

let incoming = 0;
let online = false;
const waiters = new Set<() => void>();
service.onEvent((event, payload) => {
  if (event === 'message.added' && (payload as { message: { direction: string } }).message.direction === 'in')
    incoming++;
  if (event === 'network.status') online = (payload as { status: string }).status === 'online';
  for (const wake of [...waiters]) wake();
});

function until(done: () => boolean, ms = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error('timed out'));
    }, ms);
    const check = (): void => {
      if (!done()) return;
      clearTimeout(timer);
      waiters.delete(check);
      resolve();
    };
    waiters.add(check);
    check();
  });
}

/** Full collections, with turns of the event loop between them so weak callbacks free external memory. */
async function collect(): Promise<void> {
  const gc = (globalThis as { gc?: (options?: { type: 'major'; execution: 'sync' }) => void }).gc;
  if (!gc) throw new Error('start the child with --expose-gc');
  for (let round = 0; round < 6; round++) {
    gc({ type: 'major', execution: 'sync' });
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function run(command: Command): Promise<unknown> {
  switch (command.op) {
    case 'invoke': {
      const result = await service.invoke(command.command, command.input);
      if (!result.ok) return { ok: false, code: result.error.code };
      // Only the identifiers the parent asked for travel back: never a body or a secret.
      const value = result.value as Record<string, unknown>;
      return { ok: true, ...Object.fromEntries((command.pick ?? []).map((key) => [key, value[key]])) };
    }
    case 'register':
      await registerThroughService(service, command.e164);
      return undefined;
    case 'incoming':
      return until(() => incoming >= command.count);
    case 'online':
      return until(() => online);
    case 'gc':
      return collect();
    case 'snapshot':
      writeHeapSnapshot(command.path);
      return undefined;
    case 'close':
      await service.close();
      process.exit(0);
  }
}

process.on('message', (raw: unknown) => {
  const command = raw as Command;
  run(command).then(
    (value) => process.send?.({ id: command.id, value }),
    (error: unknown) =>
      process.send?.({ id: command.id, error: error instanceof Error ? error.name : 'error' }),
  );
});

process.send?.({ type: 'ready' });

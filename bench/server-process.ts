/**
 * The demo network in its own process for the benchmarks (as in production, the server's CPU is not
 * ours), driven over IPC (src/messaging/test-support/demo-server-child.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVER_CHILD = fileURLToPath(
  new URL('../src/messaging/test-support/demo-server-child.ts', import.meta.url),
);

/**
 * The demo server stands in for Signal's CDN and chat servers, which are not ours and not on this machine.
 * mock-server's tus CDN moves every file through 16 KiB Buffers; with V8's default trigger (a full
 * collection for each ~64 MiB of Buffer memory, whatever the heap's size) it ran one or two full GCs per
 * 20 MiB upload and as many per download, ≈ 40 % of its CPU in the attachment bench (--trace-gc: 15 full
 * GCs in 8 transfers). Counting Buffer memory into V8's global limit instead leaves 3, and the server's CPU
 * per transfer drops by about a third — CPU the two processes no longer fight over on a 2-core machine.
 * The client (our core) keeps V8's defaults: what it measures is what the app does.
 */
const SERVER_V8_FLAGS = ['--external-memory-accounted-in-global-limit'];

export class ServerProcess {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<string, Array<(message: Record<string, unknown>) => void>>();

  /** `deliveryWindow`: envelopes the server sends ahead of our acks (the demo default is 1). */
  constructor(deliveryWindow = 1) {
    // CARAPACE_BENCH_SERVER_PROF=1: a CPU profile of the server (where its answer's time goes), written
    // as a .cpuprofile under the system's temp directory when the server exits.
    const profile =
      process.env.CARAPACE_BENCH_SERVER_PROF === '1'
        ? ['--cpu-prof', `--cpu-prof-dir=${join(tmpdir(), 'carapace-server-prof')}`]
        : [];
    const args = [...SERVER_V8_FLAGS, ...profile, '--import', 'tsx', SERVER_CHILD, String(deliveryWindow)];
    this.child = spawn(process.execPath, args, {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env: { ...process.env, CARAPACE_LOG_LEVEL: 'error' },
    });
    this.child.on('message', (raw) => {
      const message = raw as Record<string, unknown>;
      const type = String(message.type);
      if (type === 'error') throw new Error(`demo server child: ${String(message.message)}`);
      const next = this.waiting.get(type)?.shift();
      next?.(message);
    });
  }

  next(type: string): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      const list = this.waiting.get(type) ?? [];
      list.push(resolve);
      this.waiting.set(type, list);
    });
  }

  send(message: Record<string, unknown>): void {
    this.child.send(message);
  }

  /** The server process's CPU time so far (user + system), in ms: what it spent is not the client's. */
  async cpuMs(): Promise<number> {
    const reply = this.next('cpu');
    this.send({ type: 'cpu' });
    return Number((await reply).ms);
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.send({ type: 'close' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

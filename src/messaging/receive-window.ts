/**
 * The receive window (Signal-Desktop's batching): envelopes handed in while a batch is being decrypted
 * and committed wait, and become the next batch — at most `max`, one batch at a time, each as ONE item
 * of the client's write queue. With the server's delivery window open, a backlog is thus decrypted,
 * committed in one transaction and acked per batch; a lone message is a batch of one, at once.
 * Every caller's promise settles only after its batch's outcome is known (committed, or not).
 *
 * Between batches the event loop gets a turn: the acks the commit wrote go out, and what the socket read
 * meanwhile joins the next batch before it is formed (as does an IPC call from the UI). Without it,
 * batches ran back to back on what was already waiting: a 10,000-envelope backlog went through in
 * batches of 20 on average instead of 64 (bench/backlog.bench.ts).
 */
import type { SerialQueue } from '../async/serial-queue.js';

/** One envelope of a batch: `run` settles each (a promise settles once; a throw rejects the rest). */
export interface Batched<T, R> {
  readonly item: T;
  readonly resolve: (value: R) => void;
  readonly reject: (error: unknown) => void;
}

/** Resolves after the event loop's I/O and immediates (socket writes, reads) had their turn. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class ReceiveWindow<T, R> {
  private pending: Array<Batched<T, R>> = [];
  private draining = false;

  constructor(
    private readonly options: {
      readonly lock: SerialQueue;
      readonly max: number;
      readonly run: (batch: ReadonlyArray<Batched<T, R>>) => Promise<void>;
    },
  ) {}

  /** Items waiting for a batch (not counting the batch being worked on). */
  get waiting(): number {
    return this.pending.length;
  }

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.draining) return;
      this.draining = true;
      // After this turn's I/O: everything already read from the socket joins the first batch.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      // Taken inside the queue, so whatever arrived while the previous batch held it joins this one.
      await this.options.lock.run(async () => {
        const batch = this.pending.splice(0, this.options.max);
        try {
          await this.options.run(batch);
        } catch (error) {
          for (const waiting of batch) waiting.reject(error);
        }
      });
      await yieldToEventLoop();
    }
    this.draining = false;
  }
}

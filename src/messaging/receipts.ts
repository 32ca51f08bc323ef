/**
 * Receipts we send: delivery receipts batched per contact (as Signal clients do: a 1,000-message
 * backlog then costs a handful of receipt sends instead of 1,000 encrypt + PUT round trips), read
 * receipts at once. Both are a courtesy: a failure is logged, never retried, never un-acks a message.
 */
import { errorFields, log } from '../log.js';
import type { Sender } from './sender.js';

const BATCH_MAX = 100;
const BATCH_WAIT_MS = 250;

export class Receipts {
  private readonly pending = new Map<string, Set<number>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly sender: Pick<Sender, 'sendReceipt'>) {}

  /** Queue delivery receipts; sent after BATCH_WAIT_MS, at BATCH_MAX per contact, or on flush(). */
  queueDelivery(serviceId: string, timestamps: readonly number[]): void {
    let pending = this.pending.get(serviceId);
    if (!pending) {
      pending = new Set();
      this.pending.set(serviceId, pending);
    }
    for (const ts of timestamps) pending.add(ts);
    if (pending.size >= BATCH_MAX) {
      this.flush();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), BATCH_WAIT_MS);
      this.timer.unref();
    }
  }

  /** Send every queued delivery receipt now (the server's queue is drained). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batches = [...this.pending];
    this.pending.clear();
    for (const [serviceId, timestamps] of batches) {
      this.sender
        .sendReceipt(serviceId, 'delivery', [...timestamps])
        .catch((error: unknown) => log.warn('messaging.receipt.send_failed', errorFields(error)));
    }
  }

  sendRead(serviceId: string, timestamps: readonly number[]): void {
    if (timestamps.length === 0) return;
    this.sender
      .sendReceipt(serviceId, 'read', timestamps)
      .catch((error: unknown) => log.warn('messaging.read_receipt_failed', errorFields(error)));
  }

  /** Drop what is queued (stop, lock): unsent delivery receipts are a courtesy, not a duty. */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}

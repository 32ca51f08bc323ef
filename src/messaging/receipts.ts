/**
 * Receipts we send: delivery receipts batched per contact (as Signal clients do: a 1,000-message
 * backlog then costs a handful of receipt sends instead of 1,000 encrypt + PUT round trips), read
 * receipts at once — only while the "Read receipts" setting is on (read on each send, so turning it off
 * also drops read receipts still queued). A receipt never un-acks a message, but it is not dropped either:
 *
 * - a send that fails because we are offline (socket down, proxy gone, the chat socket displaced by
 *   the PIN step) goes back into the queue and is sent after the next connect;
 * - on lock or stop, whatever is queued or still in flight is saved in the vault (`account_kv`, one
 *   small JSON row) while the database is still open, and sent after the next start. A receipt in
 *   flight may so reach the contact twice, which only repeats what their device already shows.
 *
 * Why saved at stop instead of flushed: the vault's lock is synchronous (its hooks run, then the
 * database closes and the keys are zeroed), so no network round trip can be awaited there. Not covered:
 * a process killed before the queue was saved loses its receipts, as before.
 */
import { z } from 'zod';
import type { AccountKv } from '../account/account-kv.js';
import { CarapaceError } from '../errors.js';
import { errorFields, log } from '../log.js';
import type { Sender } from './sender.js';

const BATCH_MAX = 100;
const BATCH_WAIT_MS = 250;
const SAVED_KEY = 'messaging.pendingReceipts';
/** Failures that mean "not connected now": the receipt is sent again after the next connect. */
const OFFLINE_CODES: ReadonlySet<string> = new Set([
  'NETWORK',
  'NOT_CONNECTED',
  'PROXY_UNAVAILABLE',
  'PROXY_AUTH_FAILED',
]);

type ReceiptKind = 'delivery' | 'read';

const savedSchema = z.array(
  z.object({
    kind: z.enum(['delivery', 'read']),
    serviceId: z.string().min(1).max(64),
    timestamps: z.array(z.number().int().nonnegative()),
  }),
);
type Batch = z.infer<typeof savedSchema>[number];

export class Receipts {
  private readonly pending: Record<ReceiptKind, Map<string, Set<number>>> = {
    delivery: new Map(),
    read: new Map(),
  };
  private readonly inFlight = new Set<Batch>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly sender: Pick<Sender, 'sendReceipt'>,
    private readonly saved: Pick<AccountKv, 'getJson' | 'setJson' | 'delete'>,
    /** The "Read receipts" setting. */
    private readonly readReceipts: () => boolean,
  ) {}

  /** Queue delivery receipts; sent after BATCH_WAIT_MS, at BATCH_MAX per contact, or on flush(). */
  queueDelivery(serviceId: string, timestamps: readonly number[]): void {
    const size = this.add('delivery', serviceId, timestamps);
    if (this.stopped) return;
    if (size >= BATCH_MAX) {
      this.flush();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), BATCH_WAIT_MS);
      this.timer.unref();
    }
  }

  sendRead(serviceId: string, timestamps: readonly number[]): void {
    if (timestamps.length === 0 || !this.readReceipts()) return;
    this.add('read', serviceId, timestamps);
    if (!this.stopped) this.flush();
  }

  /** Send everything queued now (the server's queue is drained, or we just connected). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    for (const batch of this.take()) this.send(batch);
  }

  /** After connecting: what an earlier session saved joins the queue and everything goes out. */
  resume(): void {
    for (const batch of this.saved.getJson(SAVED_KEY, savedSchema) ?? []) {
      this.add(batch.kind, batch.serviceId, batch.timestamps);
    }
    this.saved.delete(SAVED_KEY);
    this.flush();
  }

  /**
   * Stop sending (lock, stop): save what is queued or in flight for the next start. Runs while the
   * database is still open (a vault lock hook); a receipt queued later is saved at once if it still can.
   */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.stopped = true;
    this.save();
  }

  private add(kind: ReceiptKind, serviceId: string, timestamps: readonly number[]): number {
    const byContact = this.pending[kind];
    let set = byContact.get(serviceId);
    if (!set) {
      set = new Set();
      byContact.set(serviceId, set);
    }
    for (const ts of timestamps) set.add(ts);
    if (this.stopped) this.save();
    return set.size;
  }

  private take(): Batch[] {
    const batches: Batch[] = [];
    // Read receipts queued (or saved offline) before the setting was turned off are not sent.
    if (!this.readReceipts()) this.pending.read.clear();
    for (const kind of ['delivery', 'read'] as const) {
      for (const [serviceId, set] of this.pending[kind])
        batches.push({ kind, serviceId, timestamps: [...set] });
      this.pending[kind].clear();
    }
    return batches;
  }

  private send(batch: Batch): void {
    this.inFlight.add(batch);
    this.sender.sendReceipt(batch.serviceId, batch.kind, batch.timestamps).then(
      () => this.inFlight.delete(batch),
      (error: unknown) => {
        if (!this.inFlight.delete(batch)) return; // stopped meanwhile: already saved for the next start
        if (error instanceof CarapaceError && OFFLINE_CODES.has(error.code)) {
          log.info('messaging.receipt.deferred', { kind: batch.kind, code: error.code });
          this.add(batch.kind, batch.serviceId, batch.timestamps);
          return;
        }
        log.warn('messaging.receipt.send_failed', { kind: batch.kind, ...errorFields(error) });
      },
    );
  }

  /** Merge the queue and what is in flight into the saved row (nothing to save: no write). */
  private save(): void {
    const batches = [...this.take(), ...this.inFlight];
    this.inFlight.clear();
    if (batches.length === 0) return;
    try {
      const earlier = this.saved.getJson(SAVED_KEY, savedSchema) ?? [];
      this.saved.setJson(SAVED_KEY, [...earlier, ...batches]);
    } catch (error) {
      // The vault closed before the receipt could be saved: it is lost, like an unsent courtesy.
      log.warn('messaging.receipt.not_saved', errorFields(error));
    }
  }
}

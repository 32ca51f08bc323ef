/**
 * Incoming attachments: fetched in the background after their message is committed (never before the
 * ack), resumed after a restart, a lock or a network failure, with progress events.
 *
 * Bounded work whatever a contact sends (issue 13.4): a download round is one message's attachments,
 * reported with ONE `message.updated` when the round ends; a few rounds run at a time; at most
 * MAX_QUEUED_DOWNLOADS attachments wait in memory — the rest stay `pending` in the vault and are picked
 * up by `resume()` once the queue has drained; the loop yields to the event loop between downloads.
 */
import { errorFields, log } from '../log.js';
import type { AttachmentInfo, AttachmentRecords } from './attachments/records.js';
import type { AttachmentTransport } from './attachments/service.js';
import type { Transfers } from './attachments/transfers.js';
import { boundBody, LONG_TEXT_CONTENT_TYPE } from './limits.js';
import type { AttachmentProgress } from './sender.js';
import type { Message, MessageStore } from './store.js';

/** Attachments waiting in memory; eight full messages' worth (limits.ts caps a message at 32). */
const MAX_QUEUED_DOWNLOADS = 256;
/** Rounds downloading at once. */
const CONCURRENT_ROUNDS = 2;

interface DownloadsOptions {
  readonly store: MessageStore;
  readonly records: AttachmentRecords;
  readonly transport: AttachmentTransport;
  /** Running transfers, so the user can cancel one (it stays `pending`: not downloaded). */
  readonly transfers?: Transfers;
  /** False once the client stopped: no more downloads start, no more events. */
  readonly running: () => boolean;
  readonly onProgress: (event: AttachmentProgress) => void;
  readonly onUpdated: (message: Message) => void;
  /** Tests only: a smaller queue bound. */
  readonly maxQueued?: number;
}

interface Round {
  readonly messageId: string;
  readonly attachmentIds: readonly string[];
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Downloads {
  readonly #rounds: Round[] = [];
  /** Attachment ids queued or downloading, so a resume does not queue them twice. */
  readonly #queued = new Set<string>();
  #active = 0;
  /** Something pending was left in the vault because the queue was full: resume once it drains. */
  #overflow = false;
  /**
   * A download ended (done or failed for good) since the last resume. Without that (offline: every try
   * stays pending) a drained queue does not resume again — the next connect does.
   */
  #progressed = false;

  constructor(private readonly options: DownloadsOptions) {}

  /** Attachments waiting or downloading now (never more than the queue bound). */
  get queued(): number {
    return this.#queued.size;
  }

  /** Queue one message's attachments (the receiver's after-commit hook); returns at once. */
  inBackground(messageId: string, attachmentIds: readonly string[]): void {
    const fresh = [...new Set(attachmentIds)].filter((id) => !this.#queued.has(id));
    if (fresh.length === 0) return;
    if (this.#queued.size + fresh.length > (this.options.maxQueued ?? MAX_QUEUED_DOWNLOADS)) {
      // Still `pending` in the vault: resume() picks them up when the queue has drained.
      if (!this.#overflow) log.info('messaging.attachment.queue_full');
      this.#overflow = true;
      return;
    }
    for (const id of fresh) this.#queued.add(id);
    this.#rounds.push({ messageId, attachmentIds: fresh });
    this.#pump();
  }

  #pump(): void {
    while (this.#active < CONCURRENT_ROUNDS && this.options.running()) {
      const round = this.#rounds.shift();
      if (!round) break;
      this.#active += 1;
      void this.downloadAll(round.messageId, round.attachmentIds)
        .catch((error: unknown) => log.warn('messaging.attachment.round_failed', errorFields(error)))
        .finally(() => {
          this.#active -= 1;
          for (const id of round.attachmentIds) this.#queued.delete(id);
          this.#pump();
          if (this.#active === 0 && this.#rounds.length === 0 && this.#overflow && this.#progressed) {
            this.#overflow = false;
            this.#progressed = false;
            this.resume();
          }
        });
    }
  }

  /**
   * Download the given attachments of a message (pending ones; others resolve at once), then emit ONE
   * `message.updated` for the round. Resolves with their infos; failures stay on the record.
   */
  async downloadAll(messageId: string, attachmentIds: readonly string[]): Promise<AttachmentInfo[]> {
    const { records, transport, running, store } = this.options;
    const infos: AttachmentInfo[] = [];
    for (const attachmentId of attachmentIds) {
      if (!running()) break;
      const controller = this.options.transfers?.start(attachmentId);
      try {
        const info = await records.download(attachmentId, transport, {
          onProgress: (loaded, total) =>
            this.options.onProgress({ messageId, attachmentId, direction: 'download', loaded, total }),
          ...(controller ? { signal: controller.signal } : {}),
        });
        this.#progressed = true;
        if (!this.#applyLongText(messageId, info)) infos.push(info);
      } catch (error) {
        log.warn('messaging.attachment.download_failed', errorFields(error));
        const info = running() ? records.get(attachmentId) : undefined;
        if (info) infos.push(info);
        if (info && info.state !== 'pending') this.#progressed = true;
      } finally {
        if (controller) this.options.transfers?.end(attachmentId, controller);
      }
      // A round of 32 failing at once must not hold the event loop (the socket, the UI's API calls).
      await yieldToEventLoop();
    }
    if (!running()) return infos;
    const message = store.getMessage(messageId);
    if (message) this.options.onUpdated(message);
    return infos;
  }

  /**
   * Signal's long text (limits.ts): once downloaded its text becomes the message's body and the
   * attachment is shredded. True when `info` was one.
   */
  #applyLongText(messageId: string, info: AttachmentInfo): boolean {
    if (info.direction !== 'incoming' || info.declaredContentType !== LONG_TEXT_CONTENT_TYPE) return false;
    if (info.state !== 'ready') return false;
    const { records, store } = this.options;
    const { bytes } = records.read(info.id);
    let text: string;
    try {
      text = boundBody(new TextDecoder('utf-8').decode(bytes));
    } finally {
      bytes.fill(0);
    }
    if (store.applyLongText(messageId, info.id, text)) records.delete(info.id);
    return true;
  }

  /** Pending downloads left by a restart, a lock or a network failure: queue them (oldest first). */
  resume(): void {
    const { records } = this.options;
    const room = (this.options.maxQueued ?? MAX_QUEUED_DOWNLOADS) - this.#queued.size;
    if (room <= 0) {
      this.#overflow = true;
      return;
    }
    const limit = room + this.#queued.size;
    let pending: Array<{ attachmentId: string; messageId: string }>;
    try {
      pending = records.pendingDownloads(limit);
    } catch {
      return;
    }
    // A full page means there may be more: fetch them when this lot has drained.
    if (pending.length === limit) this.#overflow = true;
    const byMessage = new Map<string, string[]>();
    for (const { attachmentId, messageId } of pending) {
      if (this.#queued.has(attachmentId)) continue;
      byMessage.set(messageId, [...(byMessage.get(messageId) ?? []), attachmentId]);
    }
    for (const [messageId, ids] of byMessage) this.inBackground(messageId, ids);
  }
}

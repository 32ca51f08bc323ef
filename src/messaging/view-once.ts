/**
 * View-once media: the receiver may open it once, then only a "viewed" marker stays; the sender keeps
 * no copy at all (as Signal).
 *
 * Opening marks the message viewed at once, so nothing can show it a second time: from then on the media
 * is linked to no message, and if the app stops, locks or crashes before the viewing ends, the next
 * start's sweep shreds it. While the viewing lasts the renderer reads the media by range (1 MiB a call,
 * like any large file: a 100 MiB video never crosses the UI boundary whole), and the viewing ends — its
 * files shredded — once every byte was read, or when nothing was read for VIEW_ONCE_IDLE_MS. No other
 * read path (whole reads, saving to disk) serves view-once media: see MessagingClient's read guard.
 */
import { AlreadyViewedError, NotFoundError, PreconditionError } from '../errors.js';
import type { AttachmentRecords } from './attachments/records.js';
import { SNIFF_HEAD_BYTES } from './attachments/content-type.js';
import type { Message, MessageStore } from './store.js';

/** A viewing nobody reads from ends after this long: a renderer that went away leaves nothing behind. */
export const VIEW_ONCE_IDLE_MS = 30_000;

/** One opened view-once file: read it with `ViewOnceViewings.readRange`. */
export interface ViewOnceItem {
  readonly attachmentId: string;
  readonly size: number;
  /** As `attachments.readRange` gives it: the sniffed type for images and playable media, else octet-stream. */
  readonly blobType: string;
}

interface Viewing {
  /** Per attachment: its size and how far it was read. */
  readonly items: Map<string, { readonly size: number; readUpTo: number }>;
  cancelTimer: () => void;
}

/** Runs `ending` after `ms` unless cancelled (injectable so tests need not wait). */
type Schedule = (ending: () => void, ms: number) => () => void;

const unrefTimeout: Schedule = (ending, ms) => {
  const timer = setTimeout(ending, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

export class ViewOnceViewings {
  readonly #byAttachment = new Map<string, Viewing>();

  /**
   * `inWriteQueue`: runs a viewing's end (its deletes) in the client's write queue, after whatever
   * transaction is running there.
   */
  constructor(
    private readonly store: MessageStore,
    private readonly records: AttachmentRecords,
    private readonly inWriteQueue: (work: () => void) => void,
    private readonly schedule: Schedule = unrefTimeout,
  ) {}

  /**
   * Opens a received view-once message (in the client's write queue): marks it viewed and returns its
   * files to read. A second call throws AlreadyViewedError; media not yet downloaded → an error and
   * nothing changes.
   */
  open(messageId: string): ViewOnceItem[] {
    const message = this.store.getMessage(messageId);
    if (!message) throw new NotFoundError('No such message.');
    if (!message.viewOnce) throw new PreconditionError('This is not a view-once message.');
    if (message.viewed) throw new AlreadyViewedError();
    if (message.direction !== 'in') throw new PreconditionError('Only received view-once media opens.');
    // The head read checks every file is downloaded and sniffs its type before anything changes.
    const items = message.attachmentIds.map((attachmentId): ViewOnceItem => {
      const head = this.records.readRange(attachmentId, 0, SNIFF_HEAD_BYTES);
      head.bytes.fill(0);
      return { attachmentId, size: head.size, blobType: head.blobType };
    });
    this.store.transaction(() => this.store.markViewed(messageId));
    const viewing: Viewing = {
      items: new Map(items.map((item) => [item.attachmentId, { size: item.size, readUpTo: 0 }])),
      cancelTimer: () => undefined,
    };
    for (const item of items) this.#byAttachment.set(item.attachmentId, viewing);
    this.#idleTimer(viewing);
    return items;
  }

  /** Whether this attachment is open view-once media (readable here, and nowhere else). */
  isOpen(attachmentId: string): boolean {
    return this.#byAttachment.has(attachmentId);
  }

  /** A piece of open view-once media (the Buffer is the caller's); the last piece ends the viewing. */
  readRange(attachmentId: string, offset: number, length: number) {
    const viewing = this.#byAttachment.get(attachmentId);
    const item = viewing?.items.get(attachmentId);
    if (!viewing || !item) throw new NotFoundError('No such attachment.');
    const range = this.records.readRange(attachmentId, offset, length);
    item.readUpTo = Math.max(item.readUpTo, offset + range.bytes.length);
    if ([...viewing.items.values()].every((i) => i.readUpTo >= i.size)) this.#end(viewing);
    else this.#idleTimer(viewing);
    return range;
  }

  /** Forgets every viewing without touching the vault (it is locking or closed): the next start's sweep shreds the media. */
  dispose(): void {
    for (const viewing of new Set(this.#byAttachment.values())) viewing.cancelTimer();
    this.#byAttachment.clear();
  }

  #idleTimer(viewing: Viewing): void {
    viewing.cancelTimer();
    viewing.cancelTimer = this.schedule(() => this.#end(viewing), VIEW_ONCE_IDLE_MS);
  }

  /** No more reads; the files are shredded in the write queue. */
  #end(viewing: Viewing): void {
    viewing.cancelTimer();
    const ids = [...viewing.items.keys()];
    for (const id of ids) this.#byAttachment.delete(id);
    this.inWriteQueue(() => {
      for (const id of ids) this.records.delete(id);
    });
  }
}

/** After a view-once message was sent: our copy goes (the sender cannot open it either). */
export function discardSentViewOnce(
  store: MessageStore,
  records: AttachmentRecords | undefined,
  message: Message,
): Message {
  const viewed = store.transaction(() => store.markViewed(message.id));
  for (const id of message.attachmentIds) records?.delete(id);
  return viewed;
}

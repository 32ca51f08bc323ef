/**
 * Disappearing messages: ONE purge (expired messages deleted, their attachments shredded), run by the
 * API right after unlock before anything is displayed, by the client at start, and by the client's
 * timer at each next expiry.
 */
import { oncePerTurn } from '../async/once-per-turn.js';
import { errorFields, log } from '../log.js';
import type { EncryptedFileStore } from '../vault/file-store.js';
import type { SqlDatabase } from '../vault/sql.js';
import { AttachmentRecords } from './attachments/records.js';
import { MessageStore } from './store.js';

/** The longest the timer sleeps before it looks again (a clock change is noticed within a minute). */
const MAX_SLEEP_MS = 60_000;

/**
 * Delete every message whose timer ran out at `now` and shred its attachments. Synchronous: call it
 * between envelopes (in the client's write queue). Returns how many messages went.
 */
export function purgeExpired(
  store: MessageStore,
  attachments: AttachmentRecords | undefined,
  now: number,
): number {
  const attachmentIds = store.expiredAttachmentIds(now);
  const removed = store.deleteExpired(now);
  // Each delete commits on its own, so the file is shredded at once (a crash in between leaves an
  // unreferenced row that the client's start-up sweep removes).
  for (const id of attachmentIds) attachments?.delete(id);
  if (removed > 0) log.info('messaging.expired', { removed, attachments: attachmentIds.length });
  return removed;
}

/**
 * The purge without a running client: the API calls it right after unlock, before anything is
 * displayed (the UI may list conversations before the client has connected).
 */
export function purgeExpiredMessages(
  vault: { readonly db: SqlDatabase; readonly files?: EncryptedFileStore },
  now: number = Date.now(),
): number {
  const store = new MessageStore(vault.db, { clock: () => now });
  const attachments = vault.files ? new AttachmentRecords(vault.db, vault.files, () => now) : undefined;
  return purgeExpired(store, attachments, now);
}

/** Sleeps until the next expiry, then runs `purge` (through the write queue) and sleeps again. */
export class ExpiryTimer {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: MessageStore,
    private readonly clock: () => number,
    private readonly purge: () => Promise<unknown>,
  ) {}

  /** (Re)arm for the earliest pending expiry; call after anything that may have set one. */
  schedule(): void {
    if (this.stopped) return;
    let next: number | null;
    try {
      next = this.store.nextExpiry();
    } catch {
      return; // vault locked
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (next === null) return;
    const delay = Math.max(0, Math.min(next - this.clock(), MAX_SLEEP_MS));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.purge()
        .catch((error: unknown) => log.warn('messaging.expiry_failed', errorFields(error)))
        .finally(() => this.schedule());
    }, delay);
    this.timer.unref();
  }

  /** `schedule()` once after this turn: a committed batch of many messages re-arms once, not per message. */
  readonly scheduleSoon = oncePerTurn(() => this.schedule());

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

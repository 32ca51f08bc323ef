/**
 * The attachments of messages, by id (table from vault migration 0005; `message_attachments` links them
 * to their message, migration 0006). An incoming attachment is recorded as "pending" in the same
 * transaction that stores its message — with its pointer, key included, inside the encrypted DB — and
 * downloaded afterwards (`download`), so receiving never waits for a CDN and a restart resumes pending
 * downloads (`pendingDownloads`). Once downloaded or rejected the pointer is cleared.
 */
import { randomBytes } from 'node:crypto';
import { NotFoundError, PreconditionError, ServerError, ValidationError } from '../../errors.js';
import { errorFields, log } from '../../log.js';
import {
  decodeDataMessage,
  encodeDataMessage,
  type AttachmentPointer,
} from '../../signal/proto/signal-service.js';
import type { EncryptedFileStore } from '../../vault/file-store.js';
import type { SqlDatabase } from '../../vault/sql.js';
import type { Statement } from 'better-sqlite3-multiple-ciphers';
import {
  isInlineImage,
  playableMedia,
  isPotentiallyExecutable,
  SNIFF_HEAD_BYTES,
  type SniffedType,
} from './content-type.js';
import { AttachmentRejectedError, type AttachmentFailure } from './errors.js';
import { exportVaultFile } from './export.js';
import { pointerFailure } from './pointer-check.js';
import {
  attachmentBytes,
  downloadAttachment,
  preparedFromStored,
  sanitizeFileName,
  type AttachmentBytes,
  type PreparedAttachment,
  type AttachmentTransport,
  type StoredAttachment,
  type TransferOptions,
} from './service.js';

export type AttachmentState = 'pending' | 'ready' | 'failed';

/** What the UI may know about an attachment (no key, no pointer). */
export interface AttachmentInfo {
  readonly id: string;
  readonly direction: 'incoming' | 'outgoing';
  readonly state: AttachmentState;
  /** Sniffed from the bytes once downloaded; undefined while pending. */
  readonly contentType?: SniffedType;
  readonly declaredContentType?: string;
  readonly fileName?: string;
  readonly size?: number;
  readonly width?: number;
  readonly height?: number;
  readonly flags: number;
  readonly caption?: string;
  readonly hasThumbnail: boolean;
  readonly potentiallyExecutable: boolean;
  readonly inlineImage: boolean;
  /** Audio or video the UI may play on request (content-type.ts `playableMedia`), else null. */
  readonly media: 'audio' | 'video' | null;
  readonly failure?: AttachmentFailure | 'not-found';
}

interface Row {
  id: string;
  direction: 'incoming' | 'outgoing';
  state: AttachmentState;
  pointer: Buffer | null;
  file_id: string | null;
  thumbnail_file_id: string | null;
  content_type: string | null;
  declared_content_type: string | null;
  file_name: string | null;
  size: number | null;
  width: number | null;
  height: number | null;
  flags: number;
  caption: string | null;
  failure: string | null;
}

const ID_PATTERN = /^[0-9a-f]{32}$/;

function encodePointer(pointer: AttachmentPointer): Buffer {
  return Buffer.from(encodeDataMessage({ attachments: [pointer] }));
}

function decodePointer(bytes: Uint8Array): AttachmentPointer {
  const pointer = decodeDataMessage(bytes).attachments?.[0];
  if (!pointer) throw new AttachmentRejectedError('malformed', 'A stored attachment pointer is damaged.');
  return pointer;
}

function toInfo(row: Row): AttachmentInfo {
  const contentType = (row.content_type ?? undefined) as SniffedType | undefined;
  const fileName = row.file_name ?? undefined;
  return {
    id: row.id,
    direction: row.direction,
    state: row.state,
    ...(contentType ? { contentType } : {}),
    ...(row.declared_content_type ? { declaredContentType: row.declared_content_type } : {}),
    ...(fileName ? { fileName } : {}),
    ...(row.size !== null ? { size: row.size } : {}),
    ...(row.width ? { width: row.width } : {}),
    ...(row.height ? { height: row.height } : {}),
    flags: row.flags,
    ...(row.caption ? { caption: row.caption } : {}),
    hasThumbnail: row.thumbnail_file_id !== null,
    // Until the bytes are known, judge by name alone — and treat unknown content as needing care.
    potentiallyExecutable: isPotentiallyExecutable(fileName, contentType ?? 'application/octet-stream'),
    inlineImage: contentType ? isInlineImage(contentType) : false,
    media: contentType ? playableMedia(contentType) : null,
    ...(row.failure ? { failure: row.failure as AttachmentFailure | 'not-found' } : {}),
  };
}

/** Files whose blob type readRange remembers: a few pieces of a file are read in a row, never many files. */
const REMEMBERED_BLOB_TYPES = 8;

export class AttachmentRecords {
  readonly #inFlight = new Map<string, Promise<AttachmentInfo>>();
  /** Sniffed blob types of the files read by range lately (#blobTypeOf), least recently used first. */
  readonly #blobTypes = new Map<string, string>();
  /** Prepared once per SQL text: one message may carry many pointers (issue 13.4). */
  readonly #statements = new Map<string, Statement<unknown[]>>();

  constructor(
    private readonly db: SqlDatabase,
    private readonly files: EncryptedFileStore,
    private readonly clock: () => number = Date.now,
  ) {}

  #stmt(sql: string): Statement<unknown[]> {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #row(id: string): Row | undefined {
    if (!ID_PATTERN.test(id)) throw new ValidationError('Not an attachment id.');
    return this.#stmt('SELECT * FROM attachments WHERE id = ?').get(id) as Row | undefined;
  }

  #mustRow(id: string): Row {
    const row = this.#row(id);
    if (!row) throw new NotFoundError('No such attachment.');
    return row;
  }

  /**
   * Records an incoming attachment as pending (call inside the transaction that stores its message and
   * put the id into `attachmentIds`). Nothing is fetched here.
   */
  addIncoming(pointer: AttachmentPointer): string {
    const id = randomBytes(16).toString('hex');
    const fileName = sanitizeFileName(pointer.fileName);
    // A pointer that can never be downloaded fails now, for good, and its keys are not kept.
    const failure = pointerFailure(pointer);
    if (failure) log.warn('attachments.pointer_rejected', { failure });
    this.#stmt(
      `INSERT INTO attachments (id, direction, state, pointer, failure, declared_content_type, file_name,
           size, width, height, flags, caption, created_at)
         VALUES (?, 'incoming', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      failure ? 'failed' : 'pending',
      failure ? null : encodePointer(pointer),
      failure ?? null,
      pointer.contentType?.slice(0, 100) ?? null,
      fileName ?? null,
      pointer.size ?? null,
      pointer.width ?? null,
      pointer.height ?? null,
      pointer.flags ?? 0,
      pointer.caption?.slice(0, 2000) ?? null,
      this.clock(),
    );
    return id;
  }

  /** Records our own (already stored) copy of a sent attachment. */
  addOutgoing(stored: StoredAttachment): string {
    const id = randomBytes(16).toString('hex');
    this.#stmt(
      `INSERT INTO attachments (id, direction, state, file_id, thumbnail_file_id, content_type, file_name,
           size, width, height, flags, caption, created_at)
         VALUES (?, 'outgoing', 'ready', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      stored.fileId,
      stored.thumbnailFileId ?? null,
      stored.contentType,
      stored.fileName ?? null,
      stored.size,
      stored.width ?? null,
      stored.height ?? null,
      stored.flags,
      stored.caption ?? null,
      this.clock(),
    );
    return id;
  }

  /**
   * Our stored copy of a file we sent, to upload again when its message is resent; undefined when it is
   * not one of ours or its file is gone (deleted, expired).
   */
  outgoingCopy(id: string): PreparedAttachment | undefined {
    const row = this.#row(id);
    if (!row || row.direction !== 'outgoing' || row.state !== 'ready' || row.file_id === null)
      return undefined;
    if (row.size === null || !this.files.has(row.file_id)) return undefined;
    const info = toInfo(row);
    return preparedFromStored(this.files, {
      fileId: row.file_id,
      size: row.size,
      contentType: (row.content_type ?? 'application/octet-stream') as SniffedType,
      ...(info.fileName ? { fileName: info.fileName } : {}),
      ...(info.width !== undefined ? { width: info.width } : {}),
      ...(info.height !== undefined ? { height: info.height } : {}),
      ...(info.caption ? { caption: info.caption } : {}),
      flags: row.flags,
      potentiallyExecutable: info.potentiallyExecutable,
      inlineImage: info.inlineImage,
    });
  }

  get(id: string): AttachmentInfo | undefined {
    const row = this.#row(id);
    return row ? toInfo(row) : undefined;
  }

  /**
   * Incoming attachments still to download with their message, oldest first, at most `limit` (resume
   * these after start-up or a lost connection). A held message request's media waits for acceptance
   * (fetching it would tell the CDN we got it) and is not listed.
   */
  pendingDownloads(limit: number): Array<{ attachmentId: string; messageId: string }> {
    return this.#stmt(
      `SELECT a.id AS attachmentId, l.message_id AS messageId
         FROM attachments a
         JOIN message_attachments l ON l.attachment_id = a.id
         JOIN messages m ON m.id = l.message_id
         JOIN conversations c ON c.id = m.conversation_id
        WHERE a.state = 'pending' AND c.is_request = 0
        ORDER BY a.created_at, a.rowid
        LIMIT ?`,
    ).all(limit) as Array<{ attachmentId: string; messageId: string }>;
  }

  /**
   * Downloads a pending incoming attachment into vault.files. Network trouble (NetworkError, 5xx)
   * leaves it pending for a retry; a rejected file (integrity, size, malformed) or a missing CDN object
   * marks it failed and forgets the pointer. Concurrent calls for one id share one download.
   */
  download(
    id: string,
    transport: Pick<AttachmentTransport, 'cdn'>,
    options: TransferOptions = {},
  ): Promise<AttachmentInfo> {
    const running = this.#inFlight.get(id);
    if (running) return running;
    const task = this.#download(id, transport, options).finally(() => this.#inFlight.delete(id));
    this.#inFlight.set(id, task);
    return task;
  }

  async #download(
    id: string,
    transport: Pick<AttachmentTransport, 'cdn'>,
    options: TransferOptions,
  ): Promise<AttachmentInfo> {
    const row = this.#mustRow(id);
    if (row.state !== 'pending' || !row.pointer) return toInfo(row);
    let stored: StoredAttachment;
    try {
      const pointer = decodePointer(row.pointer);
      // Rows recorded before pointers were checked on arrival are checked here, before any request.
      const failure = pointerFailure(pointer);
      if (failure) throw new AttachmentRejectedError(failure, 'The attachment pointer cannot be downloaded.');
      stored = await downloadAttachment(pointer, transport, this.files, options);
    } catch (error) {
      const permanent =
        error instanceof AttachmentRejectedError ||
        (error instanceof ServerError && error.status >= 400 && error.status < 500);
      if (permanent) {
        const failure = error instanceof AttachmentRejectedError ? error.reason : ('not-found' as const);
        this.#stmt(`UPDATE attachments SET state = 'failed', pointer = NULL, failure = ? WHERE id = ?`).run(
          failure,
          id,
        );
        log.warn('attachments.download_rejected', { failure });
      } else {
        log.info('attachments.download_retry_later', errorFields(error));
      }
      throw error;
    }
    if (!this.#row(id)) {
      // Deleted (message expired, view-once viewed, chat deleted) while we were downloading.
      this.files.delete(stored.fileId);
      if (stored.thumbnailFileId) this.files.delete(stored.thumbnailFileId);
      throw new NotFoundError('The attachment was deleted during its download.');
    }
    this.#stmt(
      `UPDATE attachments SET state = 'ready', pointer = NULL, file_id = ?, thumbnail_file_id = ?,
           content_type = ?, file_name = ?, size = ?, width = ?, height = ?, failure = NULL
         WHERE id = ?`,
    ).run(
      stored.fileId,
      stored.thumbnailFileId ?? null,
      stored.contentType,
      stored.fileName ?? null,
      stored.size,
      stored.width ?? null,
      stored.height ?? null,
      id,
    );
    return toInfo(this.#mustRow(id));
  }

  /**
   * The bytes of a downloaded attachment (or its thumbnail) and their sniffed type, for the API to hand
   * to the renderer as a blob: URL. The Buffer is the caller's: zero it once handed over.
   */
  read(id: string, which: 'full' | 'thumbnail' = 'full', maxBytes = Infinity): AttachmentBytes {
    const row = this.#mustRow(id);
    const fileId = which === 'thumbnail' ? row.thumbnail_file_id : row.file_id;
    if (row.state !== 'ready' || !fileId) {
      throw new PreconditionError(
        which === 'thumbnail' ? 'This attachment has no preview.' : 'This attachment is not downloaded.',
      );
    }
    // Judged by the stored file's own size, before anything is read.
    if (this.files.size(fileId) > maxBytes) {
      throw new PreconditionError('This file is read a piece at a time (attachments.readRange).');
    }
    return attachmentBytes(this.files.read(fileId));
  }

  /**
   * `length` bytes of a downloaded attachment from `offset` (decrypting only the vault segments they
   * touch), with the file's size and the blob type `read` would give it. The Buffer is the caller's.
   */
  readRange(id: string, offset: number, length: number): { bytes: Buffer; size: number; blobType: string } {
    const row = this.#mustRow(id);
    if (row.state !== 'ready' || !row.file_id)
      throw new PreconditionError('This attachment is not downloaded.');
    const size = this.files.size(row.file_id);
    if (offset > size) throw new ValidationError('The range starts after the end of the file.');
    const bytes = this.files.readRange(row.file_id, offset, length);
    const coversHead = offset === 0 && bytes.length >= Math.min(SNIFF_HEAD_BYTES, size);
    return { bytes, size, blobType: this.#blobTypeOf(row.file_id, coversHead ? bytes : undefined) };
  }

  /**
   * The blob type of a stored file, sniffed from its head once: a file read by range (the renderer asks for
   * piece after piece) would otherwise decrypt its first segment again for every piece. A vault file never
   * changes after its commit, so the answer holds for its life; only the last few files are remembered.
   * `head`: the piece just read, when it holds the whole sniffed head (a shorter one could sniff wrong).
   */
  #blobTypeOf(fileId: string, head: Buffer | undefined): string {
    let blobType = this.#blobTypes.get(fileId);
    if (blobType === undefined) {
      if (head) blobType = attachmentBytes(head.subarray(0, SNIFF_HEAD_BYTES)).blobType;
      else {
        const read = this.files.readRange(fileId, 0, SNIFF_HEAD_BYTES);
        blobType = attachmentBytes(read).blobType;
        read.fill(0);
      }
      if (this.#blobTypes.size >= REMEMBERED_BLOB_TYPES) {
        const oldest = this.#blobTypes.keys().next().value;
        if (oldest !== undefined) this.#blobTypes.delete(oldest);
      }
    }
    this.#blobTypes.delete(fileId);
    this.#blobTypes.set(fileId, blobType);
    return blobType;
  }

  /** Writes a downloaded attachment's plaintext to `destination`, piece by piece (export.ts). */
  exportTo(id: string, destination: string): Promise<void> {
    const row = this.#mustRow(id);
    if (row.state !== 'ready' || !row.file_id)
      throw new PreconditionError('This attachment is not downloaded.');
    return exportVaultFile(this.files, row.file_id, destination);
  }

  /** Whether an attachment row holds this vault file (a staged file taken by a send that then failed: not). */
  ownsFile(fileId: string): boolean {
    return (
      this.#stmt('SELECT 1 FROM attachments WHERE file_id = ? OR thumbnail_file_id = ?').get(
        fileId,
        fileId,
      ) !== undefined
    );
  }

  /**
   * Deletes attachments no message refers to any more (`message_attachments`): view-once media
   * after viewing, expired or deleted messages, and attachments whose message was never stored. Only
   * rows older than `graceMs` are touched, so an attachment recorded just before its message row is
   * safe. Returns how many were deleted. Run it after expiry sweeps and at start-up.
   */
  sweepUnreferenced(graceMs = 10 * 60 * 1000): number {
    const cutoff = this.clock() - graceMs;
    const ids = (
      this.#stmt(
        `SELECT a.id FROM attachments a
           WHERE a.created_at <= ?
             AND NOT EXISTS (SELECT 1 FROM message_attachments l WHERE l.attachment_id = a.id)`,
      ).all(cutoff) as { id: string }[]
    ).map((r) => r.id);
    if (ids.length === 0) return 0;
    this.db.transaction(() => {
      for (const id of ids) this.delete(id);
    })();
    this.files.flush();
    log.info('attachments.swept', { removed: ids.length });
    return ids.length;
  }

  /** Deletes an attachment: its files are shredded and its row (and any pointer) removed. */
  delete(id: string): void {
    const row = this.#row(id);
    if (!row) return;
    const run = (): void => {
      this.#stmt('DELETE FROM attachments WHERE id = ?').run(id);
      if (row.file_id) this.files.delete(row.file_id);
      if (row.thumbnail_file_id) this.files.delete(row.thumbnail_file_id);
    };
    if (this.db.inTransaction) run();
    else {
      this.db.transaction(run)();
      // The file store defers shredding until the key-row delete committed: shred now.
      this.files.flush();
    }
  }
}

/**
 * Incoming attachments: fetched in the background after their message is committed (never before the
 * ack), resumed after a restart, a lock or a network failure, with progress events; each finished
 * download re-emits its message (`message.updated`) so the UI shows it.
 */
import { errorFields, log } from '../log.js';
import type { AttachmentInfo, AttachmentRecords } from './attachments/records.js';
import type { AttachmentTransport } from './attachments/service.js';
import type { AttachmentProgress } from './sender.js';
import type { Message, MessageStore } from './store.js';

interface DownloadsOptions {
  readonly store: MessageStore;
  readonly records: AttachmentRecords;
  readonly transport: AttachmentTransport;
  /** False once the client stopped: no more downloads start, no more events. */
  readonly running: () => boolean;
  readonly onProgress: (event: AttachmentProgress) => void;
  readonly onUpdated: (message: Message) => void;
}

export class Downloads {
  constructor(private readonly options: DownloadsOptions) {}

  /** Fire and forget (the receiver's after-commit hook). */
  inBackground(messageId: string, attachmentIds: readonly string[]): void {
    void this.downloadAll(messageId, attachmentIds);
  }

  /**
   * Download the given attachments of a message (pending ones; others resolve at once) and emit
   * `message.updated` when each is done. Resolves with their infos; failures stay on the record.
   */
  async downloadAll(messageId: string, attachmentIds: readonly string[]): Promise<AttachmentInfo[]> {
    const { records, transport, running, store } = this.options;
    const infos: AttachmentInfo[] = [];
    for (const attachmentId of attachmentIds) {
      if (!running()) break;
      try {
        infos.push(
          await records.download(attachmentId, transport, {
            onProgress: (loaded, total) =>
              this.options.onProgress({ messageId, attachmentId, direction: 'download', loaded, total }),
          }),
        );
      } catch (error) {
        log.warn('messaging.attachment.download_failed', errorFields(error));
        const info = running() ? records.get(attachmentId) : undefined;
        if (info) infos.push(info);
      }
      if (!running()) break;
      const message = store.getMessage(messageId);
      if (message) this.options.onUpdated(message);
    }
    return infos;
  }

  /** Pending downloads left by a restart, a lock or a network failure: resume them (oldest first). */
  resume(): void {
    const { records, store } = this.options;
    let pending: string[];
    try {
      pending = records.pendingIds();
    } catch {
      return;
    }
    for (const attachmentId of pending) {
      const message = store.findMessageByAttachmentId(attachmentId);
      if (!message) continue;
      // A held request's media waits for acceptance (acceptRequest resumes it).
      if (store.getConversation(message.conversationId)?.isRequest) continue;
      this.inBackground(message.id, [attachmentId]);
    }
  }
}

/**
 * Staging and sending files, cancelling or retrying a transfer, reading them for display, saving them to
 * disk through the platform's dialog (executables confirmed), opening view-once media.
 */
import { wipeAndRelease } from '../../../bytes/release.js';
import {
  ConfirmationRequiredError,
  NotAvailableError,
  NotFoundError,
  PreconditionError,
} from '../../../errors.js';
import { log } from '../../../log.js';
import { MAX_FILES_PER_MESSAGE } from '../../contract.js';
import { AttachmentStaging } from '../../../messaging/attachments/staging.js';
import { STAGING_LIMITS } from '../../../messaging/attachments/limits.js';
import type { MessagingClient } from '../../../messaging/client.js';
import type { OutgoingFile } from '../../../messaging/sender.js';
import type { EncryptedFileStore } from '../../../vault/file-store.js';
import type { CoreContext, Handlers } from '../context.js';
import { toApiAttachmentBytes } from '../mappers.js';

/** The largest file `attachments.read` hands over whole: one piece of the staging protocol (1 MiB). */
const WHOLE_READ_MAX_BYTES = STAGING_LIMITS.chunkBytes;

/** A potentially executable attachment is handed out only after the user confirmed it. */
function confirmedIfExecutable(
  client: MessagingClient,
  attachmentId: string,
  confirmed: boolean | undefined,
) {
  const info = client.attachmentInfo(attachmentId);
  if (!info) throw new NotFoundError('No such attachment.');
  if (info.potentiallyExecutable && !confirmed) {
    throw new ConfirmationRequiredError('Open it only if you trust the sender.');
  }
  return info;
}

export function attachmentHandlers(ctx: CoreContext) {
  // One staging area per unlocked vault: a new session (new file store) starts empty, and the lock has
  // already shredded every unfinished staged file of the old one.
  const stagings = new WeakMap<EncryptedFileStore, AttachmentStaging>();
  const staging = (): AttachmentStaging => {
    ctx.session();
    const files = ctx.vault.files;
    let area = stagings.get(files);
    if (!area) {
      area = new AttachmentStaging(files, ctx.clock);
      stagings.set(files, area);
    }
    return area;
  };

  return {
    'attachments.stageBegin': ({ size }) =>
      Promise.resolve({ stageId: staging().begin(size), chunkBytes: STAGING_LIMITS.chunkBytes }),
    'attachments.stageChunk': ({ stageId, offset, dataBase64 }) => {
      const chunk = Buffer.from(dataBase64, 'base64');
      try {
        return Promise.resolve({ received: staging().append(stageId, offset, chunk) });
      } finally {
        wipeAndRelease(chunk);
      }
    },
    'attachments.pick': async () => {
      const pick = ctx.options.pickFiles;
      if (!pick) throw new NotAvailableError('Files are chosen in the page here (no native file dialog).');
      staging(); // locked: refused before any dialog opens
      const paths = (await pick()).slice(0, MAX_FILES_PER_MESSAGE);
      const area = staging();
      const files = [];
      try {
        for (const path of paths) files.push(await area.stageFromPath(path));
      } catch (error) {
        for (const file of files) area.cancel(file.stageId);
        throw error;
      }
      return { files };
    },
    'attachments.stageCancel': ({ stageId }) => {
      if (!staging().cancel(stageId)) throw new NotFoundError('No such staged file.');
      return Promise.resolve({ cancelled: true as const });
    },
    'attachments.send': async ({ conversationId, files, body, viewOnce }) => {
      const s = ctx.session();
      s.conversation(conversationId);
      const client = s.needClient();
      const inline: Buffer[] = [];
      const taken: string[] = [];
      try {
        const outgoing = files.map((f): OutgoingFile => {
          const name = f.fileName !== undefined ? { fileName: f.fileName } : {};
          if ('stageId' in f) {
            const fileId = staging().take(f.stageId);
            taken.push(fileId);
            return { fileId, ...name };
          }
          const bytes = Buffer.from(f.dataBase64, 'base64');
          inline.push(bytes);
          return { bytes, ...name };
        });
        const message = await client.sendAttachments(conversationId, outgoing, body || undefined, {
          ...(viewOnce ? { viewOnce: true } : {}),
        });
        return s.apiMessage(message);
      } finally {
        for (const bytes of inline) bytes.fill(0);
        // A staged file the send did not record (it failed before, or another file was refused) is wiped.
        const vaultFiles = ctx.vault.state === 'unlocked' ? ctx.vault.files : undefined;
        for (const fileId of taken) {
          if (vaultFiles?.has(fileId) && !client.attachments?.ownsFile(fileId)) vaultFiles.delete(fileId);
        }
      }
    },
    'attachments.read': ({ attachmentId, which }) => {
      const client = ctx.session().needClient();
      // No whole large file across the UI boundary in one message: a bigger one is read by range.
      const bytes = client.readAttachment(attachmentId, which ?? 'full', WHOLE_READ_MAX_BYTES);
      return Promise.resolve(toApiAttachmentBytes(bytes));
    },
    'attachments.readRange': ({ attachmentId, offset, length, confirmExecutable }) => {
      const client = ctx.session().needClient();
      confirmedIfExecutable(client, attachmentId, confirmExecutable);
      const range = client.readAttachmentRange(attachmentId, offset, length);
      try {
        const dataBase64 = range.bytes.toString('base64');
        return Promise.resolve({ dataBase64, offset, size: range.size, blobType: range.blobType });
      } finally {
        range.bytes.fill(0);
      }
    },
    'attachments.saveToDisk': async ({ attachmentId, confirmExecutable }) => {
      const choose = ctx.options.chooseSavePath;
      if (!choose) throw new NotAvailableError('Files are saved from the page here (no native save dialog).');
      const client = ctx.session().needClient();
      const info = confirmedIfExecutable(client, attachmentId, confirmExecutable);
      if (info.state !== 'ready') throw new PreconditionError('This attachment is not downloaded.');
      const saved = await client.saveAttachment(attachmentId, () => choose(info.fileName ?? 'attachment'));
      if (saved) log.info('attachments.saved', { bytes: info.size ?? 0 });
      return { saved };
    },
    'attachments.cancel': ({ attachmentId }) => {
      if (!ctx.session().needClient().cancelTransfer(attachmentId)) {
        throw new NotFoundError('No upload or download is running for this attachment.');
      }
      return Promise.resolve({ cancelled: true as const });
    },
    'attachments.download': async ({ attachmentId }) => {
      const s = ctx.session();
      const message = await s.needClient().downloadAttachment(attachmentId);
      if (!message) throw new NotFoundError('No such attachment.');
      return s.apiMessage(message);
    },
    'messages.viewOnce': async ({ messageId }) => ({
      items: await ctx.session().needClient().viewOnce(messageId),
    }),
  } satisfies Partial<Handlers>;
}

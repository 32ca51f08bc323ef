/** Sending files, cancelling or retrying a transfer, reading them for display, saving them (executables confirmed), opening view-once media. */
import { ConfirmationRequiredError, NotFoundError } from '../../../errors.js';
import type { CoreContext, Handlers } from '../context.js';
import { toApiAttachmentBytes } from '../mappers.js';

export function attachmentHandlers(ctx: CoreContext) {
  return {
    'attachments.send': async ({ conversationId, files, body, viewOnce }) => {
      const s = ctx.session();
      s.conversation(conversationId);
      const client = s.needClient();
      const decoded = files.map((f) => ({
        bytes: Buffer.from(f.dataBase64, 'base64'),
        ...(f.fileName !== undefined ? { fileName: f.fileName } : {}),
      }));
      try {
        const message = await client.sendAttachments(conversationId, decoded, body || undefined, {
          ...(viewOnce ? { viewOnce: true } : {}),
        });
        return s.apiMessage(message);
      } finally {
        for (const file of decoded) file.bytes.fill(0);
      }
    },
    'attachments.read': ({ attachmentId, which }) => {
      const client = ctx.session().needClient();
      return Promise.resolve(toApiAttachmentBytes(client.readAttachment(attachmentId, which ?? 'full')));
    },
    'attachments.save': ({ attachmentId, confirmExecutable }) => {
      const client = ctx.session().needClient();
      const info = client.attachmentInfo(attachmentId);
      if (!info) throw new NotFoundError('No such attachment.');
      if (info.potentiallyExecutable && !confirmExecutable) {
        throw new ConfirmationRequiredError('Open it only if you trust the sender.');
      }
      const { dataBase64 } = toApiAttachmentBytes(client.readAttachment(attachmentId, 'full'));
      return Promise.resolve({
        dataBase64,
        fileName: info.fileName ?? 'attachment',
        blobType: 'application/octet-stream' as const,
      });
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
    'messages.viewOnce': async ({ messageId }) => {
      const items = await ctx.session().needClient().viewOnce(messageId);
      return { items: items.map(toApiAttachmentBytes) };
    },
  } satisfies Partial<Handlers>;
}

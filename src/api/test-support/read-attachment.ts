/** Test-only: reads a downloaded attachment back as the UI does — by range, one piece at a time. */
import type { CoreService } from '../service.js';
import { value } from './events.js';

const PIECE = 1024 * 1024;

export async function readAttachment(service: CoreService, attachmentId: string): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (let offset = 0, size = 1; offset < size; offset += PIECE) {
    const range = await value(
      service.call('attachments.readRange', { attachmentId, offset, length: PIECE, confirmExecutable: true }),
    );
    size = range.size;
    pieces.push(Buffer.from(range.dataBase64, 'base64'));
  }
  return Buffer.concat(pieces);
}

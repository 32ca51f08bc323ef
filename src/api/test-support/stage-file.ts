/** Test-only: hands a file to the core as the UI does — staged in chunks the core's size, then named by id. */
import type { CoreService } from '../service.js';
import { value } from './events.js';

export async function stageFile(service: CoreService, bytes: Buffer): Promise<string> {
  const { stageId, chunkBytes } = await value(service.call('attachments.stageBegin', { size: bytes.length }));
  for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
    const dataBase64 = bytes.subarray(offset, offset + chunkBytes).toString('base64');
    await value(service.call('attachments.stageChunk', { stageId, offset, dataBase64 }));
  }
  return stageId;
}

/**
 * Hands files to the core without ever sending one whole: each file is announced (attachments.stageBegin)
 * and read slice by slice (Blob.slice: only one chunk of the file in memory) into chunks of the size the
 * core asked for (attachments.stageChunk). A failure cancels every stage this call began, so nothing is
 * left staged; the core wipes staged files at lock anyway.
 */
import type { ApiResult, Message } from '../src/api/contract.js';
import { fileToBase64, getApi } from './bridge.js';

async function stageOne(file: Blob, began: string[]): Promise<ApiResult<string>> {
  const api = getApi();
  const begin = await api.attachments.stageBegin({ size: file.size });
  if (!begin.ok) return begin;
  const { stageId, chunkBytes } = begin.value;
  began.push(stageId);
  for (let offset = 0; offset < file.size; offset += chunkBytes) {
    const dataBase64 = await fileToBase64(file.slice(offset, offset + chunkBytes));
    const chunk = await api.attachments.stageChunk({ stageId, offset, dataBase64 });
    if (!chunk.ok) return chunk;
  }
  return { ok: true, value: stageId };
}

/** Stages `files` in order; resolves with their stage ids, or the first error (everything cancelled). */
async function stageFiles(files: readonly Blob[]): Promise<ApiResult<string[]>> {
  const began: string[] = [];
  const ids: string[] = [];
  for (const file of files) {
    const staged = await stageOne(file, began);
    if (!staged.ok) {
      await Promise.all(began.map((stageId) => getApi().attachments.stageCancel({ stageId })));
      return staged;
    }
    ids.push(staged.value);
  }
  return { ok: true, value: ids };
}

/** Sends a message with `files` (and an optional caption): staged first, then named by stage id. */
export async function sendFiles(message: {
  readonly conversationId: string;
  readonly files: readonly File[];
  readonly body?: string;
  readonly viewOnce?: boolean;
}): Promise<ApiResult<Message>> {
  const staged = await stageFiles(message.files);
  if (!staged.ok) return staged;
  return getApi().attachments.send({
    conversationId: message.conversationId,
    files: message.files.map((file, index) => ({
      stageId: staged.value[index] ?? '',
      ...(file.name ? { fileName: file.name.slice(0, 255) } : {}),
    })),
    ...(message.body ? { body: message.body } : {}),
    ...(message.viewOnce ? { viewOnce: true } : {}),
  });
}

/**
 * Reads a downloaded attachment from the core the way a large file must cross the UI boundary: by range,
 * one piece at a time (attachments.readRange), into a blob: URL — never the whole file as one base64
 * message. For a full-size image and for saving in the web harness (Electron saves through main's own
 * dialog, attachments.saveToDisk, and the bytes never come here).
 */
import type { ApiResult } from '../src/api/contract.js';
import { base64ToBytes, blobUrl, getApi } from './bridge.js';

/** Bytes per request: one staging chunk, the most the core hands out at once. */
const PIECE_BYTES = 1024 * 1024;

export interface ReadOptions {
  /** A potentially executable file is read only after the user confirmed (else CONFIRMATION_REQUIRED). */
  readonly confirmExecutable?: boolean;
  /** The blob's type; by default the one the core sniffed (never an executable or markup type). */
  readonly type?: string;
  readonly onProgress?: (loaded: number, total: number) => void;
}

export async function attachmentUrl(
  attachmentId: string,
  options: ReadOptions = {},
): Promise<ApiResult<string>> {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  let size = 1;
  let blobType = 'application/octet-stream';
  for (let offset = 0; offset < size; offset += PIECE_BYTES) {
    const result = await getApi().attachments.readRange({
      attachmentId,
      offset,
      length: PIECE_BYTES,
      ...(options.confirmExecutable ? { confirmExecutable: true } : {}),
    });
    if (!result.ok) {
      for (const part of parts) part.fill(0);
      return result;
    }
    ({ size, blobType } = result.value);
    parts.push(base64ToBytes(result.value.dataBase64));
    options.onProgress?.(Math.min(offset + PIECE_BYTES, size), size);
  }
  return { ok: true, value: blobUrl(parts, options.type ?? blobType) };
}

/**
 * Attachments end to end, for the messaging sender/receiver and the API:
 *
 *   send:    prepareOutgoingAttachment (sniff, size limit, strip image metadata, thumbnail)
 *            → storeOutgoingAttachment (our copy, encrypted in vault.files)
 *            → uploadAttachment (Signal encryption, gRPC upload form, TUS to CDN 3) → AttachmentPointer
 *   receive: downloadAttachment(pointer) (CDN → incremental decrypt → digest+MAC check → vault.files)
 *   show:    AttachmentRecords.read(id) → bytes + sniffed type, for the API to hand out as a blob: URL
 *
 * Plaintext never touches the disk outside the vault's encrypted file store, and a download that fails
 * any check writes nothing.
 */
import { randomBytes } from 'node:crypto';
import { errorFields, log } from '../../log.js';
import { CdnClient, type ProgressCallback } from '../../net/cdn.js';
import type { ClientConfig } from '../../net/config.js';
import { getAttachmentUploadForm } from '../../net/grpc-attachments.js';
import { GrpcClient } from '../../net/grpc.js';
import type { BasicAuth } from '../../net/rest.js';
import type { SocketOpener } from '../../net/socket-opener.js';
import type { AttachmentPointer } from '../../signal/proto/signal-service.js';
import type { EncryptedFileStore } from '../../vault/file-store.js';
import {
  isInlineImage,
  isPotentiallyExecutable,
  isStrippableImage,
  sniffContentType,
  type SniffedType,
} from './content-type.js';
import { AttachmentDecryptor, encryptAttachment, MAX_ENCRYPTED_ATTACHMENT_BYTES } from './crypto.js';
import { AttachmentRejectedError, MAX_ATTACHMENT_BYTES, tooLarge } from './errors.js';
import { makeThumbnail, stripImageMetadata } from './image.js';

/** AttachmentPointer.flags bits (public values). */
const ATTACHMENT_FLAG_VOICE_MESSAGE = 1;
const ATTACHMENT_FLAG_GIF = 8;

const MAX_FILE_NAME_LENGTH = 255;

/** The network side: one gRPC client to the chat service and one CDN client, both on the given route. */
export interface AttachmentTransport {
  readonly grpc: GrpcClient;
  readonly cdn: CdnClient;
  /** Account credentials for the upload form (`<aci>.<deviceId>` / password); never logged. */
  readonly auth: BasicAuth;
  close(): void;
}

export function createAttachmentTransport(options: {
  readonly config: ClientConfig;
  readonly openSocket: SocketOpener;
  readonly credentials: { readonly aci: string; readonly deviceId: number; readonly password: string };
  readonly idleTimeoutMs?: number;
}): AttachmentTransport {
  const grpc = new GrpcClient({
    endpoint: options.config.chat,
    trustRootsPem: options.config.tlsTrustRootsPem,
    openSocket: options.openSocket,
  });
  const cdn = new CdnClient({
    config: options.config,
    openSocket: options.openSocket,
    ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
  });
  const { aci, deviceId, password } = options.credentials;
  return {
    grpc,
    cdn,
    auth: { username: `${aci}.${deviceId}`, password },
    close() {
      grpc.close();
      cdn.close();
    },
  };
}

/** Removes path parts, control and bidi characters from a file name; undefined when nothing is left. */
export function sanitizeFileName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const base = name.split(/[/\\]/).pop() ?? '';
  const cleaned = base
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, '')
    .trim()
    .slice(0, MAX_FILE_NAME_LENGTH);
  if (cleaned === '' || cleaned === '.' || cleaned === '..') return undefined;
  return cleaned;
}

// ---- send ------------------------------------------------------------------------------------------

export interface OutgoingAttachmentInput {
  readonly bytes: Uint8Array;
  readonly fileName?: string;
  /**
   * Send the file name along. Default: false for images (a photo's name often carries a date, a place
   * or a device), true for other files (a document without its name is hard to use).
   */
  readonly includeFileName?: boolean;
  /** Keep image metadata (default false: stripped). Only for "send as file, unchanged" choices. */
  readonly keepImageMetadata?: boolean;
  readonly caption?: string;
  readonly voiceNote?: boolean;
}

export interface PreparedAttachment {
  /** The exact bytes that will be encrypted and sent (metadata already stripped). */
  readonly bytes: Buffer;
  readonly contentType: SniffedType;
  readonly size: number;
  readonly fileName?: string;
  readonly width?: number;
  readonly height?: number;
  readonly caption?: string;
  readonly flags: number;
  readonly thumbnail?: { readonly bytes: Buffer; readonly width: number; readonly height: number };
  readonly metadataStripped: boolean;
  readonly potentiallyExecutable: boolean;
}

/**
 * Checks and cleans a file the user chose to send: size limit, type from the bytes, image metadata
 * stripped by re-encoding (orientation applied first), a thumbnail for images.
 */
export async function prepareOutgoingAttachment(input: OutgoingAttachmentInput): Promise<PreparedAttachment> {
  if (input.bytes.length > MAX_ATTACHMENT_BYTES) throw tooLarge();
  if (input.bytes.length === 0) throw new AttachmentRejectedError('malformed', 'The file is empty.');
  const sniffed = sniffContentType(input.bytes);
  const isImage = isStrippableImage(sniffed);
  let bytes: Buffer = Buffer.from(input.bytes);
  let contentType: SniffedType = sniffed;
  let width: number | undefined;
  let height: number | undefined;
  let stripped = false;
  if (isImage && !input.keepImageMetadata) {
    const clean = await stripImageMetadata(bytes, sniffed);
    bytes.fill(0);
    bytes = clean.bytes;
    contentType = clean.contentType;
    width = clean.width;
    height = clean.height;
    stripped = true;
    if (bytes.length > MAX_ATTACHMENT_BYTES) throw tooLarge();
  }
  let thumbnail: PreparedAttachment['thumbnail'];
  if (isImage) {
    try {
      const thumb = await makeThumbnail(bytes);
      thumbnail = { bytes: thumb.bytes, width: thumb.width, height: thumb.height };
    } catch (error) {
      log.info('attachments.thumbnail_failed', errorFields(error));
    }
  }
  const name = sanitizeFileName(input.fileName);
  const includeName = input.includeFileName ?? !isImage;
  let flags = 0;
  if (input.voiceNote) flags |= ATTACHMENT_FLAG_VOICE_MESSAGE;
  if (contentType === 'image/gif') flags |= ATTACHMENT_FLAG_GIF;
  return {
    bytes,
    contentType,
    size: bytes.length,
    ...(includeName && name ? { fileName: name } : {}),
    ...(width !== undefined ? { width } : {}),
    ...(height !== undefined ? { height } : {}),
    ...(input.caption ? { caption: input.caption } : {}),
    flags,
    ...(thumbnail ? { thumbnail } : {}),
    metadataStripped: stripped,
    potentiallyExecutable: isPotentiallyExecutable(name, contentType),
  };
}

export interface StoredAttachment {
  /** vault.files id of the plaintext (encrypted at rest with its own key). */
  readonly fileId: string;
  readonly thumbnailFileId?: string;
  readonly size: number;
  /** Sniffed from the bytes. */
  readonly contentType: SniffedType;
  /** What the sender declared (received attachments only); informational, never trusted. */
  readonly declaredContentType?: string;
  readonly fileName?: string;
  readonly width?: number;
  readonly height?: number;
  readonly caption?: string;
  readonly flags: number;
  /** The UI must confirm before saving or opening; nothing is opened automatically. */
  readonly potentiallyExecutable: boolean;
  /** A raster image the renderer may show inline. */
  readonly inlineImage: boolean;
}

/** Our own copy of a prepared attachment (and its thumbnail), into the vault's encrypted file store. */
export function storeOutgoingAttachment(
  files: EncryptedFileStore,
  prepared: PreparedAttachment,
): StoredAttachment {
  const fileId = files.write(prepared.bytes);
  let thumbnailFileId: string | undefined;
  try {
    if (prepared.thumbnail) thumbnailFileId = files.write(prepared.thumbnail.bytes);
  } catch (error) {
    files.delete(fileId);
    throw error;
  }
  return {
    fileId,
    ...(thumbnailFileId ? { thumbnailFileId } : {}),
    size: prepared.size,
    contentType: prepared.contentType,
    ...(prepared.fileName ? { fileName: prepared.fileName } : {}),
    ...(prepared.width !== undefined ? { width: prepared.width } : {}),
    ...(prepared.height !== undefined ? { height: prepared.height } : {}),
    ...(prepared.caption ? { caption: prepared.caption } : {}),
    flags: prepared.flags,
    potentiallyExecutable: prepared.potentiallyExecutable,
    inlineImage: isInlineImage(prepared.contentType),
  };
}

export interface TransferOptions {
  readonly onProgress?: ProgressCallback;
  readonly signal?: AbortSignal;
}

/**
 * Encrypts and uploads a prepared attachment; resolves with the AttachmentPointer to put into
 * DataMessage.attachments. The pointer holds the attachment's key: send it only inside an end-to-end
 * encrypted message and drop it afterwards.
 */
export async function uploadAttachment(
  prepared: PreparedAttachment,
  transport: AttachmentTransport,
  options: TransferOptions = {},
): Promise<AttachmentPointer> {
  const encrypted = encryptAttachment(prepared.bytes);
  try {
    const result = await getAttachmentUploadForm(transport.grpc, encrypted.blob.length, {
      auth: transport.auth,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (result.kind === 'too-large') throw tooLarge();
    const { form } = result;
    await transport.cdn.tusUpload(form, encrypted.blob, options);
    log.info('attachments.uploaded', { bytes: encrypted.blob.length, cdn: form.cdn });
    return {
      cdnKey: form.key,
      cdnNumber: form.cdn,
      contentType: prepared.contentType,
      key: new Uint8Array(encrypted.key),
      size: prepared.size,
      digest: new Uint8Array(encrypted.digest),
      ...(prepared.fileName ? { fileName: prepared.fileName } : {}),
      ...(prepared.flags ? { flags: prepared.flags } : {}),
      ...(prepared.width !== undefined ? { width: prepared.width } : {}),
      ...(prepared.height !== undefined ? { height: prepared.height } : {}),
      ...(prepared.caption ? { caption: prepared.caption } : {}),
      uploadTimestamp: Date.now(),
      clientUuid: new Uint8Array(randomBytes(16)),
    };
  } finally {
    encrypted.key.fill(0);
    encrypted.blob.fill(0);
  }
}

// ---- receive ---------------------------------------------------------------------------------------

/**
 * Downloads, verifies and decrypts an incoming attachment and stores the plaintext (and a thumbnail for
 * raster images) in vault.files. Digest or MAC mismatch, a size above the limit or a malformed pointer
 * throw AttachmentRejectedError and write nothing.
 */
export async function downloadAttachment(
  pointer: AttachmentPointer,
  transport: Pick<AttachmentTransport, 'cdn'>,
  files: EncryptedFileStore,
  options: TransferOptions = {},
): Promise<StoredAttachment> {
  if (!pointer.key || !pointer.digest || pointer.size === undefined) {
    throw new AttachmentRejectedError(
      'missing-pointer-field',
      'The attachment is missing its key, digest or size.',
    );
  }
  if (pointer.size > MAX_ATTACHMENT_BYTES) throw tooLarge();
  const decryptor = new AttachmentDecryptor({ key: pointer.key, digest: pointer.digest, size: pointer.size });
  let plaintext: Buffer;
  try {
    await transport.cdn.download(
      {
        cdnNumber: pointer.cdnNumber ?? 0,
        ...(pointer.cdnKey !== undefined ? { cdnKey: pointer.cdnKey } : {}),
        ...(pointer.cdnId !== undefined ? { cdnId: pointer.cdnId } : {}),
      },
      {
        maxBytes: MAX_ENCRYPTED_ATTACHMENT_BYTES,
        onChunk: (chunk) => decryptor.update(chunk),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    plaintext = decryptor.final();
  } catch (error) {
    decryptor.abort();
    throw error;
  }
  try {
    const contentType = sniffContentType(plaintext);
    const inlineImage = isInlineImage(contentType);
    let thumbnail: Buffer | undefined;
    let width = pointer.width;
    let height = pointer.height;
    if (inlineImage) {
      try {
        const thumb = await makeThumbnail(plaintext);
        thumbnail = thumb.bytes;
      } catch (error) {
        log.info('attachments.thumbnail_failed', errorFields(error));
      }
    }
    const fileId = files.write(plaintext);
    let thumbnailFileId: string | undefined;
    try {
      if (thumbnail) thumbnailFileId = files.write(thumbnail);
    } catch (error) {
      files.delete(fileId);
      throw error;
    }
    const fileName = sanitizeFileName(pointer.fileName);
    if (width === undefined || width === 0) width = undefined;
    if (height === undefined || height === 0) height = undefined;
    log.info('attachments.downloaded', { bytes: plaintext.length });
    return {
      fileId,
      ...(thumbnailFileId ? { thumbnailFileId } : {}),
      size: plaintext.length,
      contentType,
      ...(pointer.contentType ? { declaredContentType: pointer.contentType.slice(0, 100) } : {}),
      ...(fileName ? { fileName } : {}),
      ...(width !== undefined ? { width } : {}),
      ...(height !== undefined ? { height } : {}),
      ...(pointer.caption ? { caption: pointer.caption } : {}),
      flags: pointer.flags ?? 0,
      potentiallyExecutable: isPotentiallyExecutable(fileName, contentType),
      inlineImage,
    };
  } finally {
    plaintext.fill(0);
  }
}

// ---- show ------------------------------------------------------------------------------------------

export interface AttachmentBytes {
  /** Plaintext; the caller's to zero once handed over. */
  readonly bytes: Buffer;
  /** Sniffed from the bytes again (never a stored or declared type). */
  readonly contentType: SniffedType;
  /** Safe to show inline as a blob: URL (raster image); everything else is a download/save. */
  readonly inlineImage: boolean;
  /**
   * The type to give the renderer's Blob: the image type for inline images, otherwise
   * application/octet-stream — a blob: URL shares the app's origin, so HTML or SVG must never be
   * handed over with a type the renderer would render.
   */
  readonly blobType: string;
}

/** Bytes + sniffed type → what the API hands to the renderer. */
export function attachmentBytes(bytes: Buffer): AttachmentBytes {
  const contentType = sniffContentType(bytes);
  const inlineImage = isInlineImage(contentType);
  return {
    bytes,
    contentType,
    inlineImage,
    blobType: inlineImage ? contentType : 'application/octet-stream',
  };
}

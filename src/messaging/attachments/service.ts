/**
 * Attachments end to end, for the messaging sender/receiver and the API:
 *
 *   send:    prepareOutgoingAttachment (sniff, size limit, strip image metadata, thumbnail)
 *            → storeOutgoingAttachment (our copy, encrypted in vault.files)
 *            → uploadAttachment (Signal encryption, gRPC upload form, TUS to CDN 3) → AttachmentPointer
 *   receive: downloadAttachment(pointer) (CDN → incremental decrypt → digest+MAC check → vault.files)
 *   show:    AttachmentRecords.read(id) → bytes + sniffed type, for the API to hand out as a blob: URL
 *
 * Files stream: a file staged in vault.files (attachments.stage*) is read a segment at a time, encrypted
 * and written to the TUS body as it goes; a download is decrypted as it arrives into an uncommitted vault
 * file that is committed only after the digest and MAC matched. Only images are read whole (metadata
 * stripping and thumbnails need the decoded picture). Plaintext never touches the disk outside the
 * vault's encrypted file store, and a download that fails any check writes nothing.
 */
import { randomBytes } from 'node:crypto';
import { releaseBuffer, wipeAndRelease } from '../../bytes/release.js';
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
  playableMedia,
  isPotentiallyExecutable,
  isStrippableImage,
  SNIFF_HEAD_BYTES,
  sniffContentType,
  type SniffedType,
} from './content-type.js';
import {
  AttachmentDecryptStream,
  AttachmentEncryptor,
  encryptedChunks,
  MAX_ENCRYPTED_ATTACHMENT_BYTES,
} from './crypto.js';
import { AttachmentRejectedError, tooLarge } from './errors.js';
import { MAX_ATTACHMENT_BYTES } from './limits.js';
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

/** Where the file to send is: in memory (small files, link-preview images) or staged in vault.files. */
export type OutgoingSource =
  | { readonly bytes: Uint8Array }
  /** A file staged in vault.files (attachments.stage*): read from there a segment at a time. */
  | { readonly fileId: string };

export type OutgoingAttachmentInput = OutgoingSource & {
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
};

export interface PreparedAttachment {
  /** The exact bytes to send when they are in memory (metadata already stripped); empty for a staged file. */
  readonly bytes: Buffer;
  /** The staged vault file holding the bytes instead; it becomes our stored copy. */
  readonly stagedFileId?: string;
  /** The bytes to send, a piece at a time (each piece is zeroed once the next is asked for). */
  readonly chunks: () => Iterable<Uint8Array>;
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

/** A vault file's plaintext segment by segment, each zeroed once the consumer asks for the next. */
function* vaultChunks(files: EncryptedFileStore, fileId: string): Generator<Uint8Array> {
  for (const { plain } of files.chunks(fileId)) {
    try {
      yield plain;
    } finally {
      wipeAndRelease(plain);
    }
  }
}

/**
 * Our stored copy of a file we sent, ready to upload again (a resend): read from the vault a segment at a
 * time, exactly the bytes stored when it was first prepared (metadata already stripped then).
 */
export function preparedFromStored(files: EncryptedFileStore, stored: StoredAttachment): PreparedAttachment {
  return {
    bytes: Buffer.alloc(0),
    chunks: () => vaultChunks(files, stored.fileId),
    contentType: stored.contentType,
    size: stored.size,
    ...(stored.fileName ? { fileName: stored.fileName } : {}),
    ...(stored.width !== undefined ? { width: stored.width } : {}),
    ...(stored.height !== undefined ? { height: stored.height } : {}),
    ...(stored.caption ? { caption: stored.caption } : {}),
    flags: stored.flags,
    metadataStripped: false,
    potentiallyExecutable: stored.potentiallyExecutable,
  };
}

/** The head of a staged file (enough to sniff) and its size, or the whole file for images. */
function readStaged(
  files: EncryptedFileStore | undefined,
  fileId: string,
): { size: number; head: Buffer; files: EncryptedFileStore } {
  if (!files) throw new AttachmentRejectedError('malformed', 'Staged files need the vault file store.');
  const size = files.size(fileId);
  if (size > MAX_ATTACHMENT_BYTES) throw tooLarge();
  if (size === 0) throw new AttachmentRejectedError('malformed', 'The file is empty.');
  return { size, head: files.readRange(fileId, 0, SNIFF_HEAD_BYTES), files };
}

/**
 * Checks and cleans a file the user chose to send: size limit, type from the bytes, image metadata
 * stripped by re-encoding (orientation applied first), a thumbnail for images. A staged image is read
 * whole, cleaned in memory and its staged file deleted; any other staged file stays where it is.
 */
export async function prepareOutgoingAttachment(
  input: OutgoingAttachmentInput,
  files?: EncryptedFileStore,
): Promise<PreparedAttachment> {
  let bytes: Buffer;
  let staged: { fileId: string; size: number; files: EncryptedFileStore } | undefined;
  let sniffed: SniffedType;
  if ('fileId' in input) {
    const { size, head, files: store } = readStaged(files, input.fileId);
    sniffed = sniffContentType(head);
    head.fill(0);
    if (isStrippableImage(sniffed)) {
      bytes = store.read(input.fileId);
      if (!input.keepImageMetadata) store.delete(input.fileId);
      else staged = { fileId: input.fileId, size, files: store };
    } else {
      bytes = Buffer.alloc(0);
      staged = { fileId: input.fileId, size, files: store };
    }
  } else {
    if (input.bytes.length > MAX_ATTACHMENT_BYTES) throw tooLarge();
    if (input.bytes.length === 0) throw new AttachmentRejectedError('malformed', 'The file is empty.');
    sniffed = sniffContentType(input.bytes);
    bytes = Buffer.from(input.bytes);
  }
  const isImage = isStrippableImage(sniffed);
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
    // A kept staged image is sent from its vault file; the in-memory copy was only for the thumbnail.
    if (staged) {
      bytes.fill(0);
      bytes = Buffer.alloc(0);
    }
  }
  const name = sanitizeFileName(input.fileName);
  const includeName = input.includeFileName ?? !isImage;
  let flags = 0;
  if (input.voiceNote) flags |= ATTACHMENT_FLAG_VOICE_MESSAGE;
  if (contentType === 'image/gif') flags |= ATTACHMENT_FLAG_GIF;
  const inMemory = bytes;
  return {
    bytes,
    ...(staged ? { stagedFileId: staged.fileId } : {}),
    chunks: staged ? () => vaultChunks(staged.files, staged.fileId) : () => [inMemory],
    contentType,
    size: staged ? staged.size : bytes.length,
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
  const fileId = prepared.stagedFileId ?? files.write(prepared.bytes);
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
  const encryptor = new AttachmentEncryptor(prepared.size);
  try {
    const result = await getAttachmentUploadForm(transport.grpc, encryptor.encryptedSize, {
      auth: transport.auth,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (result.kind === 'too-large') throw tooLarge();
    const { form } = result;
    // Encrypted as the body is sent: one plaintext segment and its ciphertext in memory at a time.
    const body = {
      length: encryptor.encryptedSize,
      chunks: encryptedChunks(encryptor, prepared.chunks()),
      release: releaseBuffer,
    };
    await transport.cdn.tusUpload(form, body, options);
    log.info('attachments.uploaded', { bytes: encryptor.encryptedSize, cdn: form.cdn });
    return {
      cdnKey: form.key,
      cdnNumber: form.cdn,
      contentType: prepared.contentType,
      key: new Uint8Array(encryptor.key),
      size: prepared.size,
      digest: new Uint8Array(encryptor.digest),
      ...(prepared.fileName ? { fileName: prepared.fileName } : {}),
      ...(prepared.flags ? { flags: prepared.flags } : {}),
      ...(prepared.width !== undefined ? { width: prepared.width } : {}),
      ...(prepared.height !== undefined ? { height: prepared.height } : {}),
      ...(prepared.caption ? { caption: prepared.caption } : {}),
      uploadTimestamp: Date.now(),
      clientUuid: new Uint8Array(randomBytes(16)),
    };
  } finally {
    encryptor.key.fill(0);
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
  // Plaintext goes into an uncommitted vault file as it is decrypted; only a verified file is committed.
  const writer = files.createWriter();
  const decryptor = new AttachmentDecryptStream(
    { key: pointer.key, digest: pointer.digest, size: pointer.size },
    (plain) => {
      writer.write(plain);
      wipeAndRelease(plain);
    },
  );
  let fileId: string;
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
    decryptor.final();
    fileId = writer.commit();
  } catch (error) {
    decryptor.abort();
    writer.abort();
    throw error;
  }
  try {
    const head = files.readRange(fileId, 0, SNIFF_HEAD_BYTES);
    const contentType = sniffContentType(head);
    head.fill(0);
    const inlineImage = isInlineImage(contentType);
    let thumbnailFileId: string | undefined;
    if (inlineImage) thumbnailFileId = await storeThumbnail(files, fileId);
    const fileName = sanitizeFileName(pointer.fileName);
    const width = pointer.width ? pointer.width : undefined;
    const height = pointer.height ? pointer.height : undefined;
    log.info('attachments.downloaded', { bytes: pointer.size });
    return {
      fileId,
      ...(thumbnailFileId ? { thumbnailFileId } : {}),
      size: pointer.size,
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
  } catch (error) {
    files.delete(fileId);
    throw error;
  }
}

/** A thumbnail of a downloaded image (read whole: the decoder needs it), or undefined if it fails. */
async function storeThumbnail(files: EncryptedFileStore, fileId: string): Promise<string | undefined> {
  const image = files.read(fileId);
  try {
    const thumb = await makeThumbnail(image);
    return files.write(thumb.bytes);
  } catch (error) {
    log.info('attachments.thumbnail_failed', errorFields(error));
    return undefined;
  } finally {
    image.fill(0);
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
   * The type to give the renderer's Blob: the sniffed type for inline images and playable audio/video,
   * otherwise application/octet-stream — a blob: URL shares the app's origin, so HTML or SVG must never be
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
    blobType: inlineImage || playableMedia(contentType) ? contentType : 'application/octet-stream',
  };
}

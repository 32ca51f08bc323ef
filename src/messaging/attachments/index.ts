export * from './service.js';
export {
  sniffContentType,
  isPotentiallyExecutable,
  isInlineImage,
  isStrippableImage,
  type SniffedType,
} from './content-type.js';
export {
  encryptAttachment,
  decryptAttachment,
  AttachmentDecryptor,
  paddedAttachmentSize,
  encryptedAttachmentSize,
  type EncryptedAttachment,
} from './crypto.js';
export { AttachmentRejectedError, type AttachmentFailure } from './errors.js';
export { stripImageMetadata, makeThumbnail } from './image.js';
export { AttachmentRecords, type AttachmentInfo, type AttachmentState } from './records.js';

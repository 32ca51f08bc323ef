import { AttachmentError } from '../../errors.js';
import { MAX_ATTACHMENT_BYTES } from './limits.js';

/** Why an attachment was refused; the message says it in words, `reason` is for code and the UI. */
export type AttachmentFailure =
  'too-large' | 'integrity' | 'malformed' | 'missing-pointer-field' | 'image' | 'upload-form' | 'cdn';

/**
 * An attachment was refused (code 'ATTACHMENT' like its base class, so src/api maps it without change).
 * Messages never contain file names, keys or content.
 */
export class AttachmentRejectedError extends AttachmentError {
  constructor(
    readonly reason: AttachmentFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function tooLarge(): AttachmentRejectedError {
  return new AttachmentRejectedError(
    'too-large',
    `The file is larger than the ${MAX_ATTACHMENT_BYTES / (1024 * 1024)} MiB attachment limit.`,
  );
}

export function integrityFailure(cause?: unknown): AttachmentRejectedError {
  return new AttachmentRejectedError(
    'integrity',
    'The attachment is damaged or was tampered with (digest or MAC mismatch); nothing was saved.',
    cause === undefined ? undefined : { cause },
  );
}

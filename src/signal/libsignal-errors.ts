/**
 * Classifies libsignal errors by their `code` and `name` fields, never by class identity: where two copies
 * of libsignal-client load in one process (under tsx the mock server of the demo network gets its own
 * copy), an error from one copy is not `instanceof` the other's LibSignalErrorBase, and
 * `LibSignalErrorBase.is` would call a duplicate message a decryption failure. Every libsignal error
 * check in the codebase goes through here.
 */
import { ErrorCode } from '@signalapp/libsignal-client';

export function isLibSignalError(error: unknown, code: ErrorCode): boolean {
  if (!(error instanceof Error)) return false;
  const fields = error as Error & { code?: unknown };
  return fields.code === code && fields.name === ErrorCode[code];
}

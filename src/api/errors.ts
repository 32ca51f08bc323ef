/**
 * The one mapping from a thrown error to the contract's `ApiError` (used by the core service; the
 * Electron IPC adapter imports it for its own failures). CarapaceErrors keep their code, message and the
 * retry/tries facts the UI shows; anything else becomes INTERNAL with a generic message that leaks nothing.
 */
import type { z } from 'zod';
import { ERROR_EXPLANATIONS, type ApiError } from './contract.js';
import { isCarapaceError } from '../errors.js';

export function toApiError(error: unknown): ApiError {
  if (!isCarapaceError(error)) return internalError();
  const retry = (error as { retryAfterMs?: unknown }).retryAfterMs;
  const tries = (error as { triesRemaining?: unknown }).triesRemaining;
  return {
    code: error.code,
    message: error.message.slice(0, 1000),
    ...(typeof retry === 'number' && Number.isFinite(retry)
      ? { retryAfterMs: Math.max(0, Math.ceil(retry)) }
      : {}),
    ...(typeof tries === 'number' && Number.isInteger(tries) && tries >= 0 ? { triesRemaining: tries } : {}),
  };
}

export function internalError(): ApiError {
  return { code: 'INTERNAL', message: ERROR_EXPLANATIONS.INTERNAL };
}

/** INVALID_INPUT naming the offending fields and the rule, never the rejected value (a passphrase, a number). */
export function invalidInput(error: z.ZodError): ApiError {
  const message = error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : 'input'}: ${issue.message}`)
    .join('; ');
  return { code: 'INVALID_INPUT', message: message.slice(0, 300) };
}

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
  // INVALID_INPUT found by the core (a library rule) names its form fields like a schema error does.
  const fields = (error as { fields?: unknown }).fields;
  const failed = error.failedMessageId;
  return {
    code: error.code,
    message: error.message.slice(0, 1000),
    ...(typeof retry === 'number' && Number.isFinite(retry)
      ? { retryAfterMs: Math.max(0, Math.ceil(retry)) }
      : {}),
    ...(typeof tries === 'number' && Number.isInteger(tries) && tries >= 0 ? { triesRemaining: tries } : {}),
    ...(Array.isArray(fields) && fields.every((f) => typeof f === 'string')
      ? { fields: fields.slice(0, 5).map((f: string) => f.slice(0, 100)) }
      : {}),
    ...(typeof failed === 'string' ? { failedMessageId: failed } : {}),
  };
}

export function internalError(): ApiError {
  return { code: 'INTERNAL', message: ERROR_EXPLANATIONS.INTERNAL };
}

/**
 * The issues that say what is wrong: a union's own issue ("no branch matched") is replaced by the issues
 * of the branch that came closest (the fewest issues; e.g. the SOCKS5 branch when mode is socks5).
 */
function leafIssues(
  issues: readonly z.core.$ZodIssue[],
  base: readonly PropertyKey[] = [],
): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    const path = [...base, ...issue.path];
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [{ ...issue, path }];
    const closest = issue.errors.reduce((best, branch) => (branch.length < best.length ? branch : best));
    return closest.length === 0 ? [{ ...issue, path }] : leafIssues(closest, path);
  });
}

/**
 * INVALID_INPUT naming the offending fields and the rule, never the rejected value (a passphrase, a number).
 * `fields` are the fields' paths (`patch.proxy.port`): the UI says them in words and marks those inputs.
 */
export function invalidInput(error: z.ZodError): ApiError {
  const issues = leafIssues(error.issues).slice(0, 5);
  const pathOf = (issue: z.core.$ZodIssue): string => issue.path.map(String).join('.');
  const message = issues.map((issue) => `${pathOf(issue) || 'input'}: ${issue.message}`).join('; ');
  const fields = [...new Set(issues.map(pathOf).filter((path) => path !== ''))];
  return {
    code: 'INVALID_INPUT',
    message: message.slice(0, 300),
    ...(fields.length > 0 ? { fields: fields.map((field) => field.slice(0, 100)) } : {}),
  };
}

/**
 * The IPC adapter's decisions as plain functions (no electron import, unit-tested in Node):
 * sender validation, the channel allowlist, input validation against the contract's zod schemas, and the
 * mapping of errors to the `{ ok, value } | { ok, error: { code, message } }` result shape.
 */
import type { z } from 'zod';
import type { ApiError, ApiResult } from '../src/api/contract.js';
import { isCarapaceError } from '../src/errors.js';
import { errorFields, log } from '../src/log.js';
import { isAppUrl } from './app-origin.js';
import { commandChannel, isContractName } from './channels.js';

export type { ApiError, ApiResult };

/** Codes produced by the adapter itself; every other code comes from a CarapaceError in src/errors.ts. */
export const INVALID_INPUT = 'INVALID_INPUT';
export const FORBIDDEN_SENDER = 'FORBIDDEN_SENDER';
export const UNKNOWN_COMMAND = 'UNKNOWN_COMMAND';
export const INTERNAL_ERROR = 'INTERNAL';
const INTERNAL_MESSAGE = 'Something went wrong inside Carapace. Please try again.';

/** What main knows about the frame that sent an IPC message (from `event.senderFrame` and `event.sender`). */
export interface SenderFacts {
  /** `senderFrame.url`; undefined when the frame is gone (navigated or destroyed). */
  readonly frameUrl: string | undefined;
  /** `senderFrame.parent === null`: the top-level frame, not an iframe. */
  readonly isTopLevelFrame: boolean;
  /** `event.sender` is the webContents of a window we created. */
  readonly fromOurWindow: boolean;
}

/** Only our own window's top-level frame, showing our app:// origin, may call the core. */
export function isTrustedSender(facts: SenderFacts): boolean {
  return facts.fromOurWindow && facts.isTopLevelFrame && isAppUrl(facts.frameUrl);
}

export interface CommandSpec {
  readonly input: z.ZodType;
  readonly output?: z.ZodType;
}
export type CommandTable = Readonly<Record<string, CommandSpec>>;

/**
 * Calls the core for one validated command: the core service's `invoke`, which answers with an ApiResult.
 * A throw (a CarapaceError for expected failures) is mapped here too.
 */
export type CoreCall = (command: string, input: unknown) => Promise<ApiResult<unknown>>;

/** A message that names the offending fields and the rule, never the rejected value. */
export function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'input';
    return `${where}: ${issue.message}`;
  });
  return `Invalid input (${parts.join('; ')})`.slice(0, 300);
}

/** Expected failures keep their code and message; anything else becomes a generic error that leaks nothing. */
export function toApiError(error: unknown): ApiError {
  if (isCarapaceError(error)) {
    const retry = (error as { retryAfterMs?: unknown }).retryAfterMs;
    return {
      code: error.code,
      message: error.message.slice(0, 1000),
      ...(typeof retry === 'number' && Number.isFinite(retry)
        ? { retryAfterMs: Math.max(0, Math.ceil(retry)) }
        : {}),
    };
  }
  return { code: INTERNAL_ERROR, message: INTERNAL_MESSAGE };
}

/** A core answer that is not a well-formed ApiResult is treated as an internal failure. */
function isApiResult(value: unknown): value is ApiResult<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  if (record.ok === true) return 'value' in record;
  if (record.ok !== false || typeof record.error !== 'object' || record.error === null) return false;
  const error = record.error as Record<string, unknown>;
  return typeof error.code === 'string' && typeof error.message === 'string';
}

export interface CommandDispatcher {
  /** The allowlisted commands and their channels, in contract order. */
  readonly routes: readonly { readonly command: string; readonly channel: string }[];
  dispatch(command: string, sender: SenderFacts, args: readonly unknown[]): Promise<ApiResult<unknown>>;
}

/**
 * The one registration wrapper's logic: allowlist → sender check → zod-parse the single argument →
 * core call → (optional) output check → result. Malformed input never reaches the core.
 */
export function createCommandDispatcher(commands: CommandTable, call: CoreCall): CommandDispatcher {
  const routes = Object.keys(commands).map((command) => ({ command, channel: commandChannel(command) }));
  const allowed = new Set(routes.map((route) => route.command));

  async function dispatch(
    command: string,
    sender: SenderFacts,
    args: readonly unknown[],
  ): Promise<ApiResult<unknown>> {
    const spec = isContractName(command) && allowed.has(command) ? commands[command] : undefined;
    if (spec === undefined) {
      log.warn('ipc.unknown-command');
      return { ok: false, error: { code: UNKNOWN_COMMAND, message: 'Unknown command.' } };
    }
    if (!isTrustedSender(sender)) {
      log.warn('ipc.sender-rejected', {
        command,
        topLevel: sender.isTopLevelFrame,
        ours: sender.fromOurWindow,
      });
      return { ok: false, error: { code: FORBIDDEN_SENDER, message: 'This caller may not use Carapace.' } };
    }
    if (args.length > 1) {
      return { ok: false, error: { code: INVALID_INPUT, message: 'Invalid input (expected one argument)' } };
    }
    const parsed = spec.input.safeParse(args[0]);
    if (!parsed.success) {
      return { ok: false, error: { code: INVALID_INPUT, message: describeIssues(parsed.error) } };
    }
    let result: unknown;
    try {
      result = await call(command, parsed.data);
    } catch (error) {
      if (!isCarapaceError(error)) log.error('ipc.command-failed', { command, ...errorFields(error) });
      return { ok: false, error: toApiError(error) };
    }
    if (!isApiResult(result)) {
      log.error('ipc.bad-core-result', { command });
      return { ok: false, error: { code: INTERNAL_ERROR, message: INTERNAL_MESSAGE } };
    }
    if (!result.ok) return { ok: false, error: result.error };
    const value = result.value;
    if (spec.output !== undefined) {
      const checked = spec.output.safeParse(value);
      if (!checked.success) {
        log.error('ipc.bad-core-output', { command });
        return { ok: false, error: { code: INTERNAL_ERROR, message: INTERNAL_MESSAGE } };
      }
      return { ok: true, value: checked.data };
    }
    return { ok: true, value };
  }

  return { routes, dispatch };
}

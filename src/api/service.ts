/**
 * The core service: the Node-side implementation of the contract (src/api/contract.ts). The Electron IPC
 * adapter (main/) and the web harness (e2e/harness) both call `invoke(command, input)` and forward events;
 * this module is the ONLY place that touches the core modules (vault, settings, account, messaging, …).
 *
 * Every input is parsed with the contract's zod schema before anything reaches the core, and every
 * output is parsed with the output schema (which also strips any field the contract does not name, so an
 * internal object can never leak more than the UI is meant to see). CarapaceErrors map to
 * `{ code, message }`; anything else becomes INTERNAL with a generic message (details only in the log, as
 * error class + code). Never imported by the renderer.
 */
import {
  COMMANDS,
  ERROR_EXPLANATIONS,
  EVENTS,
  isCommandName,
  type ApiError,
  type ApiResult,
  type CommandName,
  type CommandOutput,
  type EventName,
  type EventPayload,
} from './contract.js';
import { CarapaceError, NotAvailableError, VaultLockedError } from '../errors.js';
import { errorFields, log } from '../log.js';
import { createCore, type Core, type CoreOptions } from './core.js';
import type { z } from 'zod';

export type { CoreOptions as CoreServiceOptions } from './core.js';

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export interface CoreService {
  /** Validates, dispatches and maps errors. Never throws. */
  invoke(command: string, input: unknown): Promise<ApiResult<unknown>>;
  /** Typed convenience for Node callers (tests, bench, scripts). */
  call<N extends CommandName>(
    command: N,
    input: z.input<(typeof COMMANDS)[N]['input']>,
  ): Promise<ApiResult<CommandOutput<N>>>;
  /** Every core event, already validated against the contract. Returns unsubscribe. */
  onEvent(listener: EventListener): () => void;
  /** Commands wired to a core module in this build. */
  readonly available: readonly CommandName[];
  /** Locks the vault (if unlocked) and releases everything. */
  close(): Promise<void>;
}

function issuesMessage(error: z.ZodError): string {
  // Paths and zod's messages only: never the offending values (they may be passphrases or numbers).
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'input'}: ${issue.message}`)
    .join('; ');
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof CarapaceError) {
    const retry = (error as { retryAfterMs?: unknown }).retryAfterMs;
    const tries = (error as { triesRemaining?: unknown }).triesRemaining;
    return {
      code: error.code,
      message: error.message.slice(0, 1000),
      ...(typeof retry === 'number' && Number.isFinite(retry)
        ? { retryAfterMs: Math.max(0, Math.ceil(retry)) }
        : {}),
      ...(typeof tries === 'number' && Number.isInteger(tries) && tries >= 0
        ? { triesRemaining: tries }
        : {}),
    };
  }
  return { code: 'INTERNAL', message: ERROR_EXPLANATIONS.INTERNAL };
}

export function createCoreService(options: CoreOptions): CoreService {
  const listeners = new Set<EventListener>();
  const emit = <E extends EventName>(event: E, payload: EventPayload<E>): void => {
    const parsed = EVENTS[event].safeParse(payload);
    if (!parsed.success) {
      log.error('api.event.invalid', { event });
      return;
    }
    for (const listener of listeners) {
      try {
        listener(event, parsed.data as EventPayload<E>);
      } catch (error) {
        log.warn('api.event.listener_failed', { event, ...errorFields(error) });
      }
    }
  };
  const core: Core = createCore(options, emit);

  const invoke = async (command: string, input: unknown): Promise<ApiResult<unknown>> => {
    if (!isCommandName(command)) {
      return { ok: false, error: { code: 'INVALID_INPUT', message: 'Unknown command.' } };
    }
    const spec = COMMANDS[command];
    const parsedInput = spec.input.safeParse(input ?? {});
    if (!parsedInput.success) {
      return { ok: false, error: { code: 'INVALID_INPUT', message: issuesMessage(parsedInput.error) } };
    }
    const handler = core.handlers[command] as ((value: unknown) => Promise<unknown>) | undefined;
    try {
      if (!handler) throw new NotAvailableError(command);
      const value = await handler(parsedInput.data);
      const parsedOutput = spec.output.safeParse(value);
      if (!parsedOutput.success) {
        log.error('api.output.invalid', { command, issues: parsedOutput.error.issues.length });
        return { ok: false, error: { code: 'INTERNAL', message: ERROR_EXPLANATIONS.INTERNAL } };
      }
      return { ok: true, value: parsedOutput.data };
    } catch (error) {
      if (!(error instanceof CarapaceError))
        log.error('api.command.failed', { command, ...errorFields(error) });
      else if (!(error instanceof VaultLockedError))
        log.info('api.command.error', { command, ...errorFields(error) });
      return { ok: false, error: toApiError(error) };
    }
  };

  return {
    invoke,
    call: (command, input) => invoke(command, input) as never,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    available: (Object.keys(core.handlers) as CommandName[]).filter((name) => core.handlers[name]),
    async close() {
      await core.close();
      listeners.clear();
    },
  };
}

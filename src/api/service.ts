/**
 * The core service: the Node-side implementation of the contract (src/api/contract.ts). The Electron IPC
 * adapter (main/) and the web harness (e2e/harness) both call `invoke(command, input)` and forward events;
 * this module and the handlers behind it (src/api/core) are the ONLY place that touches the core modules
 * (vault, settings, account, messaging, …).
 *
 * Every input is parsed (here, once, for every caller) with the contract's zod schema before anything
 * reaches the core, and every output is parsed with the output schema (which also strips any field the
 * contract does not name, so an internal object can never leak more than the UI is meant to see). CarapaceErrors map to
 * `{ code, message }` (src/api/errors.ts); anything else becomes INTERNAL with a generic message (details
 * only in the log: error class, code and sanitised throw site). Never imported by the renderer.
 */
import {
  COMMANDS,
  EVENTS,
  isCommandName,
  type ApiResult,
  type CommandName,
  type CommandOutput,
  type EventName,
  type EventPayload,
} from './contract.js';
import { CarapaceError, VaultLockedError } from '../errors.js';
import { errorFields, log } from '../log.js';
import { createCore, type Core } from './core/create-core.js';
import type { CoreOptions } from './core/context.js';
import { internalError, invalidInput, toApiError } from './errors.js';
import type { z } from 'zod';

export type { CoreOptions as CoreServiceOptions } from './core/context.js';

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
  /** Locks the vault (if unlocked) and releases everything. */
  close(): Promise<void>;
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
    if (!parsedInput.success) return { ok: false, error: invalidInput(parsedInput.error) };
    // The map is total and keyed by the same name as the schema just used.
    const handler = core.handlers[command] as (value: unknown) => Promise<unknown>;
    try {
      const value = await handler(parsedInput.data);
      const parsedOutput = spec.output.safeParse(value);
      if (!parsedOutput.success) {
        log.error('api.output.invalid', { command, issues: parsedOutput.error.issues.length });
        return { ok: false, error: internalError() };
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
    async close() {
      await core.close();
      listeners.clear();
    },
  };
}

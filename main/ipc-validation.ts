/**
 * The IPC adapter's decisions as plain functions (no electron import, unit-tested in Node): the channel
 * allowlist and sender validation. Input and output are parsed in ONE place, the core service
 * (src/api/service.ts), which answers `{ ok, value } | { ok: false, error: { code, message } }`.
 */
import type { ApiResult } from '../src/api/contract.js';
import { toApiError } from '../src/api/errors.js';
import { isCarapaceError } from '../src/errors.js';
import { errorFields, log } from '../src/log.js';
import { isAppUrl } from './app-origin.js';
import { commandChannel, isContractName } from './channels.js';

/** Codes produced by the adapter itself; every other code comes from the core service. */
const INVALID_INPUT = 'INVALID_INPUT';
const FORBIDDEN_SENDER = 'FORBIDDEN_SENDER';
const UNKNOWN_COMMAND = 'UNKNOWN_COMMAND';

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
function isTrustedSender(facts: SenderFacts): boolean {
  return facts.fromOurWindow && facts.isTopLevelFrame && isAppUrl(facts.frameUrl);
}

/** The core service's `invoke`: parses the input, runs the command, parses the output, maps errors. */
export type CoreCall = (command: string, input: unknown) => Promise<ApiResult<unknown>>;

export interface CommandDispatcher {
  /** The allowlisted commands and their channels, in contract order. */
  readonly routes: readonly { readonly command: string; readonly channel: string }[];
  dispatch(command: string, sender: SenderFacts, args: readonly unknown[]): Promise<ApiResult<unknown>>;
}

/**
 * The one registration wrapper's logic: allowlist → sender check → exactly one argument → the core
 * service (which validates it against the contract). An untrusted sender never reaches the core.
 */
export function createCommandDispatcher(commands: readonly string[], call: CoreCall): CommandDispatcher {
  const routes = commands.map((command) => ({ command, channel: commandChannel(command) }));
  const allowed = new Set(commands);

  async function dispatch(
    command: string,
    sender: SenderFacts,
    args: readonly unknown[],
  ): Promise<ApiResult<unknown>> {
    if (!isContractName(command) || !allowed.has(command)) {
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
      return { ok: false, error: { code: INVALID_INPUT, message: 'Expected one argument.' } };
    }
    try {
      return await call(command, args[0]);
    } catch (error) {
      // The service never throws; should it ever, the answer still leaks nothing.
      if (!isCarapaceError(error)) log.error('ipc.command-failed', { command, ...errorFields(error) });
      return { ok: false, error: toApiError(error) };
    }
  }

  return { routes, dispatch };
}

/** The API object the renderer sees as `window.carapace`, built from a transport; the harness wire format. */
import { z } from 'zod';
import type { ApiResult } from './errors.js';
import type { CommandInput, CommandName, CommandOutput } from './commands.js';
import { COMMAND_NAMES } from './commands.js';
import type { EventName, EventPayload } from './events.js';
import { isEventName } from './events.js';

type NamespaceOf<N> = N extends `${infer A}.${string}` ? A : never;
type CommandArgs<N extends CommandName> =
  Record<string, never> extends CommandInput<N> ? [input?: CommandInput<N>] : [input: CommandInput<N>];
export type CommandMethod<N extends CommandName> = (
  ...args: CommandArgs<N>
) => Promise<ApiResult<CommandOutput<N>>>;

/** `window.carapace`: domain methods grouped by namespace, plus `on(event, handler) → unsubscribe`. */
export type CarapaceApi = {
  readonly [NS in NamespaceOf<CommandName>]: {
    readonly [N in CommandName as N extends `${NS}.${infer M}` ? M : never]: CommandMethod<N>;
  };
} & {
  readonly on: <E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void) => () => void;
};

/** One transport-level call; the preload (ipcRenderer.invoke) and the harness client (WebSocket) provide it. */
export type Invoke = (command: CommandName, input: unknown) => Promise<ApiResult<unknown>>;
export type Subscribe = (event: EventName, handler: (payload: unknown) => void) => () => void;

/**
 * Builds the `CarapaceApi` object from a transport. Shared by main/preload.ts and the harness client so
 * both expose exactly the same methods: one per command, nothing generic.
 */
export function buildCarapaceApi(invoke: Invoke, subscribe: Subscribe): CarapaceApi {
  const api: Record<string, Record<string, (input?: unknown) => Promise<ApiResult<unknown>>>> = {};
  for (const name of COMMAND_NAMES) {
    const dot = name.indexOf('.');
    const ns = name.slice(0, dot);
    const method = name.slice(dot + 1);
    const group = (api[ns] ??= {});
    group[method] = (input?: unknown) => invoke(name, input ?? {});
  }
  const on = (event: EventName, handler: (payload: unknown) => void): (() => void) => {
    if (!isEventName(event)) throw new TypeError('unknown event');
    return subscribe(event, handler);
  };
  return { ...api, on } as unknown as CarapaceApi;
}

/**
 * Wire format of the harness WebSocket (JSON). The first client message is the token (a string) or, on a
 * reload of the same tab, {reloadTicket} (e2e/harness/server.ts); the hello carries the next ticket.
 */
export const WireRequestSchema = z.strictObject({
  id: z.number().int().nonnegative(),
  command: z.string().max(64),
  input: z.unknown(),
});
export type WireMessage =
  | { id: number; result: ApiResult<unknown> }
  | { event: EventName; payload: unknown }
  | { hello: 'ok'; reloadTicket: string };

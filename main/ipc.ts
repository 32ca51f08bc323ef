/**
 * The Electron IPC adapter: thin glue from ipcMain to the command dispatcher (main/ipc-validation.ts) and
 * from core events to `webContents.send`. Main decides who may call (ipc-validation.ts, unit-tested in
 * Node); the core service parses what they send.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { COMMAND_NAMES, isEventName, type EventName } from '../src/api/contract.js';
import type { CoreService } from '../src/api/service.js';
import { eventChannel } from './channels.js';
import { createCommandDispatcher, type SenderFacts } from './ipc-validation.js';

export interface IpcDeps {
  readonly service: Pick<CoreService, 'invoke' | 'onEvent'>;
  /** True for the webContents of the one window we created. */
  isOurWebContents(contents: WebContents): boolean;
  /** Where events go; undefined while no window exists. */
  eventTarget(): WebContents | undefined;
}

function senderFactsOf(event: IpcMainInvokeEvent, isOurs: (contents: WebContents) => boolean): SenderFacts {
  const frame = event.senderFrame;
  return {
    frameUrl: frame?.url,
    isTopLevelFrame: frame !== null && frame.parent === null,
    fromOurWindow: isOurs(event.sender),
  };
}

/** Registers one handler per contract command and forwards core events. Returns a disposer. */
export function registerIpc(ipcMain: IpcMain, deps: IpcDeps): () => void {
  const dispatcher = createCommandDispatcher(COMMAND_NAMES, (command, input) =>
    deps.service.invoke(command, input),
  );
  for (const { command, channel } of dispatcher.routes) {
    ipcMain.handle(channel, (event, ...args: unknown[]) =>
      dispatcher.dispatch(
        command,
        senderFactsOf(event, (contents) => deps.isOurWebContents(contents)),
        args,
      ),
    );
  }
  const unsubscribe = deps.service.onEvent((event: EventName, payload) => {
    if (!isEventName(event)) return;
    const target = deps.eventTarget();
    if (target === undefined || target.isDestroyed()) return;
    target.send(eventChannel(event), payload);
  });
  return () => {
    unsubscribe();
    for (const { channel } of dispatcher.routes) ipcMain.removeHandler(channel);
  };
}

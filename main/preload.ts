/**
 * The sandboxed preload: exposes `window.carapace` — one domain method per contract command plus
 * `on(event, handler) → unsubscribe` — and nothing else. No generic invoke(channel), no ipcRenderer, and
 * handlers receive only the payload, never the IpcRendererEvent (whose `sender` is ipcRenderer itself).
 * Bundled by scripts/build-main.ts into one CommonJS file: a sandboxed preload may only require electron.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildCarapaceApi, isCommandName, isEventName } from '../src/api/contract.js';
import type { ApiResult } from '../src/api/contract.js';
import { commandChannel, eventChannel } from './channels.js';

const api = buildCarapaceApi(
  async (command, input): Promise<ApiResult<unknown>> => {
    if (!isCommandName(command))
      return { ok: false, error: { code: 'INVALID_INPUT', message: 'Unknown command.' } };
    return (await ipcRenderer.invoke(commandChannel(command), input)) as ApiResult<unknown>;
  },
  (event, handler) => {
    if (!isEventName(event)) throw new TypeError('unknown event');
    const channel = eventChannel(event);
    const listener = (_event: IpcRendererEvent, payload: unknown): void => handler(payload);
    ipcRenderer.on(channel, listener);
    return () => {
      ipcRenderer.removeListener(channel, listener);
    };
  },
);

contextBridge.exposeInMainWorld('carapace', api);

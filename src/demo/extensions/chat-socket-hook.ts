/**
 * A hook into the mock's chat-socket request handling, for DemoServer instances only (other mock servers
 * in the same process are untouched): a hooked server may answer a request before the stock router
 * (`interceptRequest`) and sees every request with the stock answer afterwards (`observeRequest`).
 */
import { createRequire } from 'node:module';
import type { Device } from '@signalapp/mock-server';

/** The mock's per-socket connection; only the bits we use. */
export interface MockConnection {
  readonly server: unknown;
  readonly device?: Device;
  sendMessage(message: Buffer | 'empty'): Promise<void>;
  close(code?: number): void;
}
export interface WsRequest {
  readonly verb?: string | null;
  readonly path?: string | null;
  readonly body?: Uint8Array | null;
}
export interface WsResponse {
  readonly status?: number | null;
  readonly body?: Uint8Array | null;
}
type HandleRequest = (this: MockConnection, request: WsRequest) => Promise<WsResponse>;

/** What a hooked server implements. */
interface RequestObserver {
  interceptRequest(
    device: Device | undefined,
    request: WsRequest,
  ): WsResponse | Promise<WsResponse> | undefined;
  observeRequest(device: Device | undefined, request: WsRequest, response: WsResponse): void;
}

const require = createRequire(import.meta.url);
// Deep import: the Connection class is not exported from the package index. The package has no
// "exports" map, so this path is stable for the pinned version (27.0.0).
const connectionModule = require('@signalapp/mock-server/src/server/ws/connection.js') as {
  Connection: { prototype: { handleRequest: HandleRequest } };
};

const hooked = new WeakSet<object>();
let requestHookInstalled = false;

/** Routes the chat-socket requests of `server` (and of no other mock server) through its two methods. */
export function hookChatRequests(server: RequestObserver): void {
  hooked.add(server);
  if (requestHookInstalled) return;
  requestHookInstalled = true;
  const proto = connectionModule.Connection.prototype;
  const original = proto.handleRequest;
  proto.handleRequest = async function (this: MockConnection, request: WsRequest): Promise<WsResponse> {
    const server = observerOf(this.server);
    if (server) {
      const ours = server.interceptRequest(this.device, request);
      if (ours) return ours;
    }
    const response = await original.call(this, request);
    observerOf(this.server)?.observeRequest(this.device, request, response);
    return response;
  };
}

function observerOf(server: unknown): RequestObserver | undefined {
  return typeof server === 'object' && server !== null && hooked.has(server)
    ? (server as RequestObserver)
    : undefined;
}

/**
 * Signal's WebSocketResources framing, written from the public field numbers (WebSocketResources.proto:
 * WebSocketRequestMessage{verb=1, path=2, body=3, id=4, headers=5}, WebSocketResponseMessage{id=1,
 * status=2, message=3, body=4, headers=5}, WebSocketMessage{type=1, request=2, response=3}) and checked
 * against @signalapp/mock-server 27. Parsed by protobufjs; malformed frames become a ProtocolError.
 */
import protobuf from 'protobufjs';
import { ProtocolError } from '../../errors.js';

const PROTO = `
syntax = "proto2";
package carapace.websocket;

message WebSocketRequestMessage {
  optional string verb = 1;
  optional string path = 2;
  optional bytes body = 3;
  repeated string headers = 5;
  optional uint64 id = 4;
}

message WebSocketResponseMessage {
  optional uint64 id = 1;
  optional uint32 status = 2;
  optional string message = 3;
  repeated string headers = 5;
  optional bytes body = 4;
}

message WebSocketMessage {
  enum Type {
    UNKNOWN = 0;
    REQUEST = 1;
    RESPONSE = 2;
  }
  optional Type type = 1;
  optional WebSocketRequestMessage request = 2;
  optional WebSocketResponseMessage response = 3;
}
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;
const WebSocketMessageType = root.lookupType('carapace.websocket.WebSocketMessage');

const WS_TYPE_REQUEST = 1;
const WS_TYPE_RESPONSE = 2;

export interface WsRequestFrame {
  readonly verb: string;
  readonly path: string;
  readonly id: bigint;
  readonly headers: readonly string[];
  readonly body?: Uint8Array;
}

export interface WsResponseFrame {
  readonly id: bigint;
  readonly status: number;
  readonly message?: string;
  readonly headers: readonly string[];
  readonly body?: Uint8Array;
}

export type WsFrame =
  | { readonly type: 'request'; readonly request: WsRequestFrame }
  | { readonly type: 'response'; readonly response: WsResponseFrame };

export function encodeWsRequest(request: WsRequestFrame): Uint8Array {
  return WebSocketMessageType.encode(
    WebSocketMessageType.fromObject({
      type: WS_TYPE_REQUEST,
      request: {
        verb: request.verb,
        path: request.path,
        id: request.id.toString(),
        headers: [...request.headers],
        ...(request.body ? { body: request.body } : {}),
      },
    }),
  ).finish();
}

export function encodeWsResponse(response: WsResponseFrame): Uint8Array {
  return WebSocketMessageType.encode(
    WebSocketMessageType.fromObject({
      type: WS_TYPE_RESPONSE,
      response: {
        id: response.id.toString(),
        status: response.status,
        headers: [...response.headers],
        ...(response.message !== undefined ? { message: response.message } : {}),
        ...(response.body ? { body: response.body } : {}),
      },
    }),
  ).finish();
}

interface RawMessage {
  type?: number;
  request?: { verb?: string; path?: string; body?: Uint8Array; headers?: string[]; id?: string };
  response?: { id?: string; status?: number; message?: string; headers?: string[]; body?: Uint8Array };
}

/** Decodes one binary WebSocket message. Anything that is not a well-formed request or response throws. */
export function decodeWsFrame(data: Uint8Array): WsFrame {
  let raw: RawMessage;
  try {
    const message = WebSocketMessageType.decode(data);
    raw = WebSocketMessageType.toObject(message, {
      longs: String,
      enums: Number,
      bytes: Uint8Array,
    });
  } catch (error) {
    throw new ProtocolError('Malformed WebSocket frame', { cause: error });
  }
  if (raw.type === WS_TYPE_REQUEST && raw.request) {
    const { verb, path, id, headers, body } = raw.request;
    if (typeof verb !== 'string' || typeof path !== 'string' || id === undefined) {
      throw new ProtocolError('WebSocket request frame lacks verb, path or id');
    }
    return {
      type: 'request',
      request: { verb, path, id: BigInt(id), headers: headers ?? [], ...(body ? { body } : {}) },
    };
  }
  if (raw.type === WS_TYPE_RESPONSE && raw.response) {
    const { id, status, message, headers, body } = raw.response;
    if (id === undefined || typeof status !== 'number') {
      throw new ProtocolError('WebSocket response frame lacks id or status');
    }
    return {
      type: 'response',
      response: {
        id: BigInt(id),
        status,
        headers: headers ?? [],
        ...(message !== undefined ? { message } : {}),
        ...(body ? { body } : {}),
      },
    };
  }
  throw new ProtocolError('WebSocket frame is neither a request nor a response');
}

/** Header lookup in Signal's "Name:value" header list (case-insensitive name). */
export function wsHeader(headers: readonly string[], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const line of headers) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted)
      return line.slice(colon + 1).trim();
  }
  return undefined;
}

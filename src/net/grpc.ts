/**
 * Unary gRPC over our own HTTP/2 transport (pinned TLS through the SocketOpener), not a second network
 * stack. The wire format is small:
 *
 *   request:  POST /<package.Service>/<Method>, content-type: application/grpc, te: trailers
 *             body = one length-prefixed message: flag (0 = uncompressed) | uint32 BE length | bytes
 *   response: HTTP 200, the same framing, and the call's status in the trailers (`grpc-status`, 0 = OK)
 *             — or, for an immediate error, in the headers ("trailers-only").
 *
 * Compressed responses are refused (we never announce grpc-accept-encoding).
 */
import type { ClientHttp2Session, IncomingHttpHeaders } from 'node:http2';
import { GrpcStatusError, NetworkError, ProtocolError } from '../errors.js';
import { LazyHttp2Session, type LazySessionOptions } from './cdn-session.js';
import { basicAuthHeader, type BasicAuth } from './rest.js';

const GRPC_STATUS_OK = 0;
const MAX_GRPC_RESPONSE_BYTES = 4 * 1024 * 1024;

export function encodeGrpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

/** Decodes a unary response body: exactly one uncompressed length-prefixed message. */
export function decodeGrpcFrame(body: Uint8Array): Buffer {
  if (body.length < 5) throw new ProtocolError('The gRPC response has no message');
  const buffer = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (buffer[0] !== 0) throw new ProtocolError('The gRPC response is compressed or malformed');
  const length = buffer.readUInt32BE(1);
  if (length !== buffer.length - 5) throw new ProtocolError('The gRPC response has a bad length prefix');
  return Buffer.from(buffer.subarray(5));
}

function statusFrom(headers: IncomingHttpHeaders | undefined): number | undefined {
  const raw = headers?.['grpc-status'];
  if (raw === undefined) return undefined;
  const value = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isInteger(value) && value >= 0 ? value : undefined;
}

export interface GrpcCall {
  /** '/package.Service/Method' */
  readonly path: string;
  /** The serialized request message. */
  readonly message: Uint8Array;
  readonly auth?: BasicAuth;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** One unary call on an open session; resolves with the serialized response message. */
function grpcUnary(session: ClientHttp2Session, call: GrpcCall): Promise<Buffer> {
  const headers: Record<string, string> = {
    ':method': 'POST',
    ':path': call.path,
    'content-type': 'application/grpc',
    te: 'trailers',
    'user-agent': 'Carapace',
  };
  if (call.auth) headers.authorization = basicAuthHeader(call.auth);
  const timeoutMs = call.timeoutMs ?? 30_000;
  return new Promise<Buffer>((resolve, reject) => {
    let stream: ReturnType<ClientHttp2Session['request']>;
    try {
      stream = session.request(headers, { endStream: false });
    } catch (error) {
      reject(new NetworkError('Could not send the gRPC request', { cause: error }));
      return;
    }
    let settled = false;
    let responseHeaders: IncomingHttpHeaders | undefined;
    let trailers: IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error: Error | undefined, value?: Buffer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      call.signal?.removeEventListener('abort', onAbort);
      if (error) {
        if (!stream.destroyed) stream.close();
        reject(error);
      } else resolve(value ?? Buffer.alloc(0));
    };
    const timer = setTimeout(() => finish(new NetworkError('The server did not answer in time')), timeoutMs);
    const onAbort = (): void => finish(new NetworkError('Request aborted', { cause: call.signal?.reason }));
    if (call.signal?.aborted) {
      onAbort();
      return;
    }
    call.signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('response', (h) => {
      responseHeaders = h;
    });
    stream.on('trailers', (t: IncomingHttpHeaders) => {
      trailers = t;
    });
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_GRPC_RESPONSE_BYTES) {
        finish(new ProtocolError('The gRPC response is too large'));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => {
      if (!responseHeaders) {
        finish(new NetworkError('The connection closed before the answer arrived'));
        return;
      }
      const httpStatus = Number(responseHeaders[':status']);
      if (httpStatus !== 200) {
        finish(new ProtocolError(`The gRPC endpoint answered HTTP ${httpStatus}`));
        return;
      }
      const status = statusFrom(trailers) ?? statusFrom(responseHeaders);
      if (status === undefined) {
        finish(new ProtocolError('The gRPC response has no grpc-status'));
        return;
      }
      if (status !== GRPC_STATUS_OK) {
        finish(new GrpcStatusError(status, `The server refused the call (gRPC status ${status})`));
        return;
      }
      try {
        finish(undefined, decodeGrpcFrame(Buffer.concat(chunks)));
      } catch (error) {
        finish(error as Error);
      }
    });
    stream.on('error', (error) => finish(new NetworkError('The gRPC request failed', { cause: error })));
    stream.on('close', () => finish(new NetworkError('The connection closed before the answer arrived')));
    stream.end(encodeGrpcFrame(call.message));
  });
}

/** Unary gRPC calls to one service endpoint over one lazily opened HTTP/2 session. */
export class GrpcClient {
  readonly #session: LazyHttp2Session;

  constructor(options: LazySessionOptions) {
    this.#session = new LazyHttp2Session(options);
  }

  async unary(call: GrpcCall): Promise<Buffer> {
    const session = await this.#session.get(call.signal);
    return grpcUnary(session, call);
  }

  close(): void {
    this.#session.close();
  }
}

import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { GrpcStatusError, NetworkError, ProtocolError } from '../errors.js';
import { directSocketOpener } from './direct-opener.js';
import { decodeGetUploadFormResponse, encodeGetUploadFormRequest } from './grpc-attachments.js';
import { decodeGrpcFrame, encodeGrpcFrame, GrpcClient } from './grpc.js';
import { MOCK_CA_PEM, startHostileServer, type HostileServer } from './test-support/hostile-server.js';

let server: HostileServer | undefined;
let client: GrpcClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

function readBody(stream: ServerHttp2Stream): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

async function serve(
  handler: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, body: Buffer) => void,
): Promise<GrpcClient> {
  server = await startHostileServer({
    onRequest: (stream, headers) => {
      void readBody(stream).then((body) => handler(stream, headers, body));
    },
  });
  client = new GrpcClient({
    endpoint: server.endpoint,
    trustRootsPem: [MOCK_CA_PEM],
    openSocket: directSocketOpener,
  });
  return client;
}

describe('gRPC framing', () => {
  it('round-trips a length-prefixed message and rejects malformed frames', () => {
    const frame = encodeGrpcFrame(Buffer.from('hello'));
    expect([...frame.subarray(0, 5)]).toEqual([0, 0, 0, 0, 5]);
    expect(decodeGrpcFrame(frame).toString()).toBe('hello');
    expect(decodeGrpcFrame(encodeGrpcFrame(new Uint8Array(0))).length).toBe(0);
    expect(() => decodeGrpcFrame(Buffer.from([0, 0, 0]))).toThrow(ProtocolError);
    expect(() => decodeGrpcFrame(Buffer.from([1, 0, 0, 0, 1, 9]))).toThrow(ProtocolError);
    expect(() => decodeGrpcFrame(Buffer.from([0, 0, 0, 0, 9, 1]))).toThrow(ProtocolError);
  });

  it('encodes GetUploadForm and decodes both outcomes', () => {
    expect(encodeGetUploadFormRequest(300).length).toBeGreaterThan(0);
    // The "exceeds max upload length" branch: field 2, an empty FailedPrecondition.
    expect(decodeGetUploadFormResponse(Buffer.from([0x12, 0x00]))).toEqual({ kind: 'too-large' });
    expect(() => decodeGetUploadFormResponse(Buffer.from([0x0a, 0x00]))).toThrow(ProtocolError);
    expect(() => decodeGetUploadFormResponse(Buffer.from([0xff, 0xff, 0xff]))).toThrow(ProtocolError);
  });
});

describe('gRPC unary calls over our HTTP/2 transport', () => {
  it('sends the gRPC headers and framing and reads the status from the trailers', async () => {
    let seen: IncomingHttpHeaders = {};
    let seenBody: Buffer = Buffer.alloc(0);
    const grpc = await serve((stream, headers, body) => {
      seen = headers;
      seenBody = body;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(encodeGrpcFrame(Buffer.from('answer')));
    });
    const reply = await grpc.unary({
      path: '/pkg.Service/Method',
      message: Buffer.from('question'),
      auth: { username: 'u', password: 'p' },
    });
    expect(reply.toString()).toBe('answer');
    expect(seen[':method']).toBe('POST');
    expect(seen[':path']).toBe('/pkg.Service/Method');
    expect(seen['content-type']).toBe('application/grpc');
    expect(seen.te).toBe('trailers');
    expect(seen.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(decodeGrpcFrame(seenBody).toString()).toBe('question');
  });

  it('a trailers-only error status is a GrpcStatusError that does not quote the server', async () => {
    const grpc = await serve((stream) => {
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': '16',
          'grpc-message': 'secret%20detail',
        },
        { endStream: true },
      );
    });
    const error = await grpc.unary({ path: '/x/y', message: new Uint8Array(0) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrpcStatusError);
    expect((error as GrpcStatusError).grpcStatus).toBe(16);
    expect((error as Error).message).not.toContain('secret');
  });

  it('a missing grpc-status, a non-200 answer or a compressed message are protocol errors', async () => {
    let mode = 0;
    const grpc = await serve((stream) => {
      if (mode === 0) {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
        stream.end(encodeGrpcFrame(Buffer.from('no status')));
      } else if (mode === 1) {
        stream.respond({ ':status': 503 });
        stream.end();
      } else {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(Buffer.from([1, 0, 0, 0, 1, 7]));
      }
    });
    for (mode = 0; mode < 3; mode += 1) {
      await expect(grpc.unary({ path: '/x/y', message: new Uint8Array(0) })).rejects.toBeInstanceOf(
        ProtocolError,
      );
    }
  });

  it('a silent server times out with a NetworkError', async () => {
    const grpc = await serve(() => undefined);
    await expect(
      grpc.unary({ path: '/x/y', message: new Uint8Array(0), timeoutMs: 300 }),
    ).rejects.toBeInstanceOf(NetworkError);
  });
});

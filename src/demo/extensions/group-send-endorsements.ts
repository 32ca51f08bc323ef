/**
 * DEMO NETWORK: the group send token check Signal's server makes and @signalapp/mock-server 27 skips (its
 * gRPC `SendMultiRecipientMessage` has a TODO and delivers whatever token comes). In front of the mock's
 * own handler, each multi-recipient send is checked like Signal-Server's GroupSendTokenUtil does:
 * - a token that does not parse → gRPC status INVALID_ARGUMENT (3);
 * - a token that does not verify for exactly the payload's recipients at the server's clock (another
 *   group's, made for other members, expired) → a response `failedUnidentifiedAuthorization`, nothing sent;
 * - a token that verifies → the request goes to the mock's handler unchanged (it delivers it).
 * The body is read here once and replayed to the mock's handler as the same request.
 */
import type { Http2SecureServer, Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { Readable } from 'node:stream';
import { ServiceId } from '@signalapp/libsignal-client';
import SealedSenderMultiRecipientMessage from '@signalapp/libsignal-client/dist/SealedSenderMultiRecipientMessage.js';
import {
  GroupSendDerivedKeyPair,
  GroupSendFullToken,
  ServerSecretParams,
} from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import type { Server } from '@signalapp/mock-server';
import protobuf from 'protobufjs';
import { errorFields, log } from '../../log.js';

const PATH = '/org.signal.chat.messages.MessagesAnonymous/SendMultiRecipientMessage';
const GRPC_INVALID_ARGUMENT = 3;

const root = protobuf.parse(`
syntax = "proto3";
message MultiRecipientMessage { uint64 timestamp = 1; bytes payload = 2; }
message Request { MultiRecipientMessage message = 3; bytes group_send_token = 4; }
message FailedUnidentifiedAuthorization { string description = 1; }
message Response { FailedUnidentifiedAuthorization failed_unidentified_authorization = 3; }
`).root;
const RequestType = root.lookupType('Request');
const ResponseType = root.lookupType('Response');

type RequestListener = (request: Http2ServerRequest, response: Http2ServerResponse) => void;

/** What the check decided: refuse with a status or a response, or pass the request on. */
type Verdict = { kind: 'pass' } | { kind: 'status'; status: number } | { kind: 'refused' };

function verdict(body: Buffer, secret: ServerSecretParams, now: Date): Verdict {
  if (body.length < 5 || body[0] !== 0) return { kind: 'status', status: GRPC_INVALID_ARGUMENT };
  let request: { message?: { payload?: Uint8Array }; groupSendToken?: Uint8Array };
  try {
    request = RequestType.toObject(RequestType.decode(body.subarray(5)), {
      bytes: Uint8Array,
    });
  } catch {
    return { kind: 'status', status: GRPC_INVALID_ARGUMENT };
  }
  const payload = request.message?.payload;
  const tokenBytes = request.groupSendToken;
  if (!payload?.length || !tokenBytes?.length) return { kind: 'status', status: GRPC_INVALID_ARGUMENT };
  let token: GroupSendFullToken;
  let recipients: ServiceId[];
  try {
    token = new GroupSendFullToken(Buffer.from(tokenBytes));
    const message = new SealedSenderMultiRecipientMessage(Buffer.from(payload));
    recipients = Object.keys(message.recipientsByServiceIdString()).map((id) =>
      ServiceId.parseFromServiceIdString(id),
    );
  } catch {
    return { kind: 'status', status: GRPC_INVALID_ARGUMENT };
  }
  try {
    token.verify(recipients, GroupSendDerivedKeyPair.forExpiration(token.getExpiration(), secret), now);
    return { kind: 'pass' };
  } catch {
    return { kind: 'refused' };
  }
}

function answer(response: Http2ServerResponse, result: Exclude<Verdict, { kind: 'pass' }>): void {
  const status = result.kind === 'status' ? result.status : 0;
  let body = Buffer.alloc(0);
  if (result.kind === 'refused') {
    const message = ResponseType.encode(
      ResponseType.fromObject({ failedUnidentifiedAuthorization: { description: '' } }),
    ).finish();
    body = Buffer.alloc(5 + message.length);
    body.writeUInt32BE(message.length, 1);
    body.set(message, 5);
  }
  response.writeHead(200, { 'content-type': 'application/grpc' });
  response.addTrailers({ 'grpc-status': String(status) });
  response.end(body);
}

/** Puts the token check in front of the mock's gRPC handler (call after `listen`). */
export function verifyGroupSendTokens(server: Server, clock: () => number): void {
  const https = (server as unknown as { https: Http2SecureServer }).https;
  // The mock's secret params, in this process's copy of libsignal (the mock may load its own).
  const zkSecret = (server as unknown as { zkSecret: { serialize(): Uint8Array } }).zkSecret;
  const secret = new ServerSecretParams(Buffer.from(zkSecret.serialize()));
  const mock = https.listeners('request') as RequestListener[];
  https.removeAllListeners('request');
  https.on('request', (request: Http2ServerRequest, response: Http2ServerResponse) => {
    if (request.method !== 'POST' || request.url !== PATH) {
      for (const listener of mock) listener.call(https, request, response);
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('error', (error) => log.warn('demo.group_send_token.read_failed', errorFields(error)));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const result = verdict(body, secret, new Date(clock()));
      if (result.kind !== 'pass') {
        log.info('demo.group_send_token.refused', { kind: result.kind });
        answer(response, result);
        return;
      }
      // The mock's handler reads the body from the request: hand it the same request with the bytes again.
      const replay = Object.assign(Readable.from([body]), {
        headers: request.headers,
        method: request.method,
        url: request.url,
        httpVersion: request.httpVersion,
        socket: request.socket,
        stream: request.stream,
      }) as unknown as Http2ServerRequest;
      for (const listener of mock) listener.call(https, replay, response);
    });
  });
}

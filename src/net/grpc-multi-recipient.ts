/**
 * Signal's multi-recipient send, `org.signal.chat.messages.MessagesAnonymous/SendMultiRecipientMessage`,
 * over our own gRPC framing (grpc.ts, pinned TLS through the route's SocketOpener — never libsignal's Net).
 * Unauthenticated: the request carries a group send token (zkgroup GroupSendFullToken) instead of our
 * identity, and one sealed-sender payload (libsignal `sealedSenderMultiRecipientEncrypt`) for every
 * recipient device. Field numbers as served by @signalapp/mock-server 27 (Signal-Server's messages.proto).
 */
import protobuf from 'protobufjs';
import { ProtocolError } from '../errors.js';
import { uuidText } from '../signal/bytes.js';
import type { GrpcClient } from './grpc.js';

const PROTO = `
syntax = "proto3";
package carapace.messages;

message ServiceIdentifier {
  int32 identity_type = 1;
  bytes uuid = 2;
}
message MultiRecipientMessage {
  uint64 timestamp = 1;
  bytes payload = 2;
}
message SendMultiRecipientMessageRequest {
  bool ephemeral = 1;
  bool urgent = 2;
  MultiRecipientMessage message = 3;
  bytes group_send_token = 4;
}
message MultiRecipientSuccess { repeated ServiceIdentifier unresolved_recipients = 1; }
message MismatchedDevices {
  ServiceIdentifier service_identifier = 1;
  repeated uint32 missing_devices = 2;
  repeated uint32 extra_devices = 3;
  repeated uint32 stale_devices = 4;
}
message MultiRecipientMismatchedDevices { repeated MismatchedDevices mismatched_devices = 1; }
message FailedUnidentifiedAuthorization { string description = 1; }
message SendMultiRecipientMessageResponse {
  oneof response {
    MultiRecipientSuccess success = 1;
    MultiRecipientMismatchedDevices mismatched_devices = 2;
    FailedUnidentifiedAuthorization failed_unidentified_authorization = 3;
  }
}
`;

const root = protobuf.parse(PROTO, { keepCase: false }).root;
const Request = root.lookupType('carapace.messages.SendMultiRecipientMessageRequest');
const Response = root.lookupType('carapace.messages.SendMultiRecipientMessageResponse');

const PATH = '/org.signal.chat.messages.MessagesAnonymous/SendMultiRecipientMessage';
const IDENTITY_TYPE_ACI = 1;
const IDENTITY_TYPE_PNI = 2;

export interface MultiRecipientSend {
  /** `sealedSenderMultiRecipientEncrypt` output. */
  readonly payload: Uint8Array;
  readonly timestamp: number;
  /** Typing indicators and the like: not stored for offline devices. */
  readonly online: boolean;
  readonly urgent: boolean;
  /** GroupSendFullToken for exactly the recipients of the payload. */
  readonly groupSendToken: Uint8Array;
}

/** One recipient whose devices the server sees differently (409: missing/extra; 410: stale). */
export interface DeviceMismatch {
  readonly serviceId: string;
  readonly missing: readonly number[];
  readonly extra: readonly number[];
  readonly stale: readonly number[];
}

export type MultiRecipientResult =
  | { readonly kind: 'sent'; readonly unregistered: readonly string[] }
  | { readonly kind: 'mismatched'; readonly devices: readonly DeviceMismatch[] }
  /** The token was refused (wrong recipients, expired, not ours). */
  | { readonly kind: 'unauthorized' };

interface ServiceIdentifierObject {
  identityType?: number;
  uuid?: Buffer;
}

function serviceIdOf(identifier: ServiceIdentifierObject | undefined): string {
  const uuid = identifier?.uuid;
  if (!Buffer.isBuffer(uuid) || uuid.length !== 16) {
    throw new ProtocolError('The server named a recipient without a Signal ID.');
  }
  if (identifier?.identityType === IDENTITY_TYPE_PNI) return `PNI:${uuidText(uuid)}`;
  if (identifier?.identityType === IDENTITY_TYPE_ACI) return uuidText(uuid);
  throw new ProtocolError('The server named a recipient of an unknown kind.');
}

const numbers = (value: unknown): number[] =>
  Array.isArray(value) ? value.filter((n): n is number => Number.isInteger(n) && n > 0) : [];

/** One multi-recipient send; gRPC status errors (e.g. a malformed token) surface as GrpcStatusError. */
export async function sendMultiRecipientMessage(
  grpc: GrpcClient,
  send: MultiRecipientSend,
  signal?: AbortSignal,
): Promise<MultiRecipientResult> {
  const message = Request.encode(
    Request.fromObject({
      ephemeral: send.online,
      urgent: send.urgent,
      message: { timestamp: send.timestamp, payload: Buffer.from(send.payload) },
      groupSendToken: Buffer.from(send.groupSendToken),
    }),
  ).finish();
  const bytes = await grpc.unary({ path: PATH, message, ...(signal ? { signal } : {}) });
  let answer: Record<string, unknown>;
  try {
    answer = Response.toObject(Response.decode(bytes), { defaults: false, bytes: Buffer });
  } catch (error) {
    throw new ProtocolError('The server sent a malformed multi-recipient answer.', { cause: error });
  }
  if (answer.failedUnidentifiedAuthorization !== undefined) return { kind: 'unauthorized' };
  const mismatched = answer.mismatchedDevices as { mismatchedDevices?: unknown[] } | undefined;
  if (mismatched !== undefined) {
    const devices = (mismatched.mismatchedDevices ?? []).map((entry) => {
      const e = entry as Record<string, unknown>;
      return {
        serviceId: serviceIdOf(e.serviceIdentifier as ServiceIdentifierObject | undefined),
        missing: numbers(e.missingDevices),
        extra: numbers(e.extraDevices),
        stale: numbers(e.staleDevices),
      };
    });
    if (devices.length === 0) throw new ProtocolError('The server reported mismatched devices without any.');
    return { kind: 'mismatched', devices };
  }
  const success = answer.success as { unresolvedRecipients?: unknown[] } | undefined;
  if (success === undefined) throw new ProtocolError('The server sent an empty multi-recipient answer.');
  return {
    kind: 'sent',
    unregistered: (success.unresolvedRecipients ?? []).map((id) =>
      serviceIdOf(id as ServiceIdentifierObject),
    ),
  };
}

/**
 * `org.signal.chat.attachments.Attachments/GetUploadForm` (gRPC, behind remote config
 * `grpc.AttachmentsGetUploadForm`): asks the chat service where to upload one encrypted attachment of a
 * given length. Messages written from the public field numbers (as served by @signalapp/mock-server 27).
 */
import protobuf from 'protobufjs';
import { ProtocolError } from '../errors.js';
import type { GrpcClient } from './grpc.js';
import type { BasicAuth } from './rest.js';

const PROTO = `
syntax = "proto3";
package carapace.grpc;

message GetUploadFormRequest {
  uint64 upload_length = 1;
}
message UploadForm {
  uint32 cdn = 1;
  string key = 2;
  map<string, string> headers = 3;
  string signed_upload_location = 4;
}
message FailedPrecondition {
  string description = 1;
}
message GetUploadFormResponse {
  oneof outcome {
    UploadForm upload_form = 1;
    FailedPrecondition exceeds_max_upload_length = 2;
  }
}
`;

const root = protobuf.parse(PROTO, { keepCase: false }).root;
const RequestType = root.lookupType('carapace.grpc.GetUploadFormRequest');
const ResponseType = root.lookupType('carapace.grpc.GetUploadFormResponse');

const GET_UPLOAD_FORM_PATH = '/org.signal.chat.attachments.Attachments/GetUploadForm';
/** The remote-config flag the chat service gates this call behind (the demo server switches it on). */
export const GET_UPLOAD_FORM_REMOTE_CONFIG = 'grpc.AttachmentsGetUploadForm';

export interface UploadForm {
  readonly cdn: number;
  readonly key: string;
  /** Headers the CDN expects on the upload (names lower-cased). */
  readonly headers: Readonly<Record<string, string>>;
  readonly signedUploadLocation: string;
}

export type UploadFormResult =
  { readonly kind: 'form'; readonly form: UploadForm } | { readonly kind: 'too-large' };

export function encodeGetUploadFormRequest(uploadLength: number): Uint8Array {
  return RequestType.encode(RequestType.fromObject({ uploadLength })).finish();
}

export function decodeGetUploadFormResponse(bytes: Uint8Array): UploadFormResult {
  let object: {
    uploadForm?: {
      cdn?: number;
      key?: string;
      headers?: Record<string, string>;
      signedUploadLocation?: string;
    };
    exceedsMaxUploadLength?: unknown;
  };
  try {
    const decoded: Record<string, unknown> = ResponseType.toObject(ResponseType.decode(bytes), {
      longs: Number,
      defaults: false,
    });
    object = decoded;
  } catch (error) {
    throw new ProtocolError('Malformed upload form.', { cause: error });
  }
  if (object.exceedsMaxUploadLength !== undefined) return { kind: 'too-large' };
  const form = object.uploadForm;
  if (!form || typeof form.key !== 'string' || form.key.length === 0 || !form.signedUploadLocation) {
    throw new ProtocolError('The upload form is incomplete.');
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(form.headers ?? {})) headers[name.toLowerCase()] = value;
  return {
    kind: 'form',
    form: { cdn: form.cdn ?? 0, key: form.key, headers, signedUploadLocation: form.signedUploadLocation },
  };
}

export async function getAttachmentUploadForm(
  grpc: GrpcClient,
  uploadLength: number,
  options: { readonly auth?: BasicAuth; readonly signal?: AbortSignal } = {},
): Promise<UploadFormResult> {
  const response = await grpc.unary({
    path: GET_UPLOAD_FORM_PATH,
    message: encodeGetUploadFormRequest(uploadLength),
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return decodeGetUploadFormResponse(response);
}

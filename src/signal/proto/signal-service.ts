/**
 * The subset of Signal's service protobufs a 1:1 text client needs, written from the public field
 * numbers (Signal's SignalService.proto, as served and parsed by @signalapp/mock-server 27; the quote,
 * reaction, delete and edit fields checked against its compiled copy). Messages we do not handle (sync,
 * calls, stories...) are kept as opaque bytes so they still round-trip and can be recognised; fields we
 * do not list (quote body ranges, stickers, payments) are skipped by the decoder, harmlessly. Parsed with protobufjs; malformed bytes become a ProtocolError.
 */
import protobuf from 'protobufjs';
import { ProtocolError } from '../../errors.js';

const PROTO = `
syntax = "proto2";
package carapace.signalservice;

message Envelope {
  enum Type {
    UNKNOWN = 0;
    CIPHERTEXT = 1;
    KEY_EXCHANGE = 2;
    PREKEY_BUNDLE = 3;
    SERVER_DELIVERY_RECEIPT = 5;
    UNIDENTIFIED_SENDER = 6;
    PLAINTEXT_CONTENT = 8;
  }
  optional Type type = 1;
  optional uint64 clientTimestamp = 5;
  optional uint32 sourceDevice = 7;
  optional bytes content = 8;
  optional string serverGuid = 9;
  optional uint64 serverTimestamp = 10;
  optional string sourceServiceId = 11;
  optional bool ephemeral = 12;
  optional string destinationServiceId = 13;
  optional bool urgent = 14;
  optional string updatedPni = 15;
  optional bool story = 16;
  optional bytes reportSpamToken = 17;
  optional bytes sourceServiceIdBinary = 19;
  optional bytes destinationServiceIdBinary = 20;
  optional bytes serverGuidBinary = 21;
  optional bytes updatedPniBinary = 22;
}

message Content {
  optional DataMessage dataMessage = 1;
  optional bytes syncMessage = 2;
  optional bytes callMessage = 3;
  optional NullMessage nullMessage = 4;
  optional ReceiptMessage receiptMessage = 5;
  optional TypingMessage typingMessage = 6;
  optional bytes senderKeyDistributionMessage = 7;
  optional bytes decryptionErrorMessage = 8;
  optional bytes storyMessage = 9;
  optional bytes pniSignatureMessage = 10;
  optional EditMessage editMessage = 11;
}

message EditMessage {
  optional uint64 targetSentTimestamp = 1;
  optional DataMessage dataMessage = 2;
}

message DataMessage {
  enum Flags {
    END_SESSION = 1;
    EXPIRATION_TIMER_UPDATE = 2;
    PROFILE_KEY_UPDATE = 4;
    FORWARD = 8;
  }
  optional string body = 1;
  repeated AttachmentPointer attachments = 2;
  optional uint32 flags = 4;
  optional uint32 expireTimer = 5;
  optional bytes profileKey = 6;
  optional uint64 timestamp = 7;
  optional Quote quote = 8;
  repeated Preview preview = 10;
  optional uint32 requiredProtocolVersion = 12;
  optional bool isViewOnce = 14;
  optional bytes groupV2 = 15;
  optional Reaction reaction = 16;
  optional Delete delete = 17;
  optional uint32 expireTimerVersion = 23;

  message Quote {
    enum Type {
      NORMAL = 0;
      GIFT_BADGE = 1;
      POLL = 2;
    }
    message QuotedAttachment {
      optional string contentType = 1;
      optional string fileName = 2;
      optional AttachmentPointer thumbnail = 3;
    }
    optional uint64 id = 1;
    optional string text = 3;
    repeated QuotedAttachment attachments = 4;
    optional string authorAci = 5;
    optional Type type = 7;
    optional bytes authorAciBinary = 8;
  }

  message Reaction {
    optional string emoji = 1;
    optional bool remove = 2;
    optional string targetAuthorAci = 4;
    optional uint64 targetSentTimestamp = 5;
    optional bytes targetAuthorAciBinary = 6;
  }

  message Delete {
    optional uint64 targetSentTimestamp = 1;
  }
}

message Preview {
  optional string url = 1;
  optional string title = 2;
  optional AttachmentPointer image = 3;
  optional string description = 4;
  optional uint64 date = 5;
}

message NullMessage {
  optional bytes padding = 1;
}

message ReceiptMessage {
  enum Type {
    DELIVERY = 0;
    READ = 1;
    VIEWED = 2;
  }
  optional Type type = 1;
  repeated uint64 timestamp = 2;
}

message TypingMessage {
  enum Action {
    STARTED = 0;
    STOPPED = 1;
  }
  optional uint64 timestamp = 1;
  optional Action action = 2;
  optional bytes groupId = 3;
}

message AttachmentPointer {
  oneof attachmentIdentifier {
    fixed64 cdnId = 1;
    string cdnKey = 15;
  }
  optional string contentType = 2;
  optional bytes key = 3;
  optional uint32 size = 4;
  optional bytes thumbnail = 5;
  optional bytes digest = 6;
  optional string fileName = 7;
  optional uint32 flags = 8;
  optional uint32 width = 9;
  optional uint32 height = 10;
  optional string caption = 11;
  optional string blurHash = 12;
  optional uint64 uploadTimestamp = 13;
  optional uint32 cdnNumber = 14;
  optional uint32 chunkSize = 17;
  optional bytes incrementalMac = 19;
  optional bytes clientUuid = 20;
}
`;

export enum EnvelopeType {
  UNKNOWN = 0,
  CIPHERTEXT = 1,
  KEY_EXCHANGE = 2,
  PREKEY_BUNDLE = 3,
  SERVER_DELIVERY_RECEIPT = 5,
  UNIDENTIFIED_SENDER = 6,
  PLAINTEXT_CONTENT = 8,
}

/**
 * Signal's DataMessage.Flags, the whole set: a flag we do not act on still arrives on the wire, and its
 * value documents what the bit means. Members no code reads yet are tagged `@public` so the unused-member
 * check (knip) keeps them; every other unused member is still reported.
 */
export enum DataMessageFlags {
  /** @public Protocol value: the sender reset its session (the flag is not read). */
  END_SESSION = 1,
  EXPIRATION_TIMER_UPDATE = 2,
  /** @public Protocol value: a message that only delivers the sender's profile key (the flag is not read). */
  PROFILE_KEY_UPDATE = 4,
  /** @public Protocol value: the message was forwarded (the flag is not read). */
  FORWARD = 8,
}

export enum ReceiptType {
  DELIVERY = 0,
  READ = 1,
  VIEWED = 2,
}

export enum TypingAction {
  STARTED = 0,
  STOPPED = 1,
}

/** Timestamps are milliseconds since 1970 as plain numbers (exact up to 2^53, i.e. year 287396). */
export interface Envelope {
  type?: EnvelopeType;
  clientTimestamp?: number;
  sourceDevice?: number;
  content?: Uint8Array;
  serverGuid?: string;
  serverTimestamp?: number;
  sourceServiceId?: string;
  ephemeral?: boolean;
  destinationServiceId?: string;
  /** Absent means true (the proto default). */
  urgent?: boolean;
  updatedPni?: string;
  story?: boolean;
  reportSpamToken?: Uint8Array;
  sourceServiceIdBinary?: Uint8Array;
  destinationServiceIdBinary?: Uint8Array;
  serverGuidBinary?: Uint8Array;
  updatedPniBinary?: Uint8Array;
}

export interface AttachmentPointer {
  cdnId?: number;
  cdnKey?: string;
  contentType?: string;
  key?: Uint8Array;
  size?: number;
  thumbnail?: Uint8Array;
  digest?: Uint8Array;
  fileName?: string;
  flags?: number;
  width?: number;
  height?: number;
  caption?: string;
  blurHash?: string;
  uploadTimestamp?: number;
  cdnNumber?: number;
  chunkSize?: number;
  incrementalMac?: Uint8Array;
  clientUuid?: Uint8Array;
}

/** A link preview (Signal shows the first whose url appears in the body). */
export interface Preview {
  url?: string;
  title?: string;
  image?: AttachmentPointer;
  description?: string;
  /** The page's publication date (ms), if the sender knew it. */
  date?: number;
}

/** One attachment of a quoted message as the quote describes it (the thumbnail is a pointer). */
export interface QuotedAttachment {
  contentType?: string;
  fileName?: string;
  thumbnail?: AttachmentPointer;
}

/** The message a reply quotes: `id` is its sent timestamp, the author its ACI (string or binary). */
export interface Quote {
  id?: number;
  text?: string;
  attachments?: QuotedAttachment[];
  authorAci?: string;
  type?: number;
  authorAciBinary?: Uint8Array;
}

/** One reaction: `remove` takes the sender's reaction (with this emoji) off the target. */
export interface Reaction {
  emoji?: string;
  remove?: boolean;
  targetAuthorAci?: string;
  targetSentTimestamp?: number;
  targetAuthorAciBinary?: Uint8Array;
}

/** Delete for everyone (remote delete) of the sender's own message sent at `targetSentTimestamp`. */
export interface Delete {
  targetSentTimestamp?: number;
}

export interface DataMessage {
  body?: string;
  attachments?: AttachmentPointer[];
  flags?: number;
  /** Seconds; 0 or absent = messages do not disappear. */
  expireTimer?: number;
  profileKey?: Uint8Array;
  timestamp?: number;
  quote?: Quote;
  preview?: Preview[];
  requiredProtocolVersion?: number;
  isViewOnce?: boolean;
  groupV2?: Uint8Array;
  reaction?: Reaction;
  delete?: Delete;
  /** Signal's timer version: a timer change with a lower version than the chat's does not apply. */
  expireTimerVersion?: number;
}

/** An edit of the sender's own message sent at `targetSentTimestamp`: the new DataMessage. */
export interface EditMessage {
  targetSentTimestamp?: number;
  dataMessage?: DataMessage;
}

export interface ReceiptMessage {
  type?: ReceiptType;
  timestamp?: number[];
}

export interface TypingMessage {
  timestamp?: number;
  action?: TypingAction;
  groupId?: Uint8Array;
}

export interface NullMessage {
  padding?: Uint8Array;
}

export interface Content {
  dataMessage?: DataMessage;
  syncMessage?: Uint8Array;
  callMessage?: Uint8Array;
  nullMessage?: NullMessage;
  receiptMessage?: ReceiptMessage;
  typingMessage?: TypingMessage;
  senderKeyDistributionMessage?: Uint8Array;
  decryptionErrorMessage?: Uint8Array;
  storyMessage?: Uint8Array;
  pniSignatureMessage?: Uint8Array;
  editMessage?: EditMessage;
}

const root = protobuf.parse(PROTO, { keepCase: true }).root;
const types = {
  Envelope: root.lookupType('carapace.signalservice.Envelope'),
  Content: root.lookupType('carapace.signalservice.Content'),
  DataMessage: root.lookupType('carapace.signalservice.DataMessage'),
};

const TO_OBJECT: protobuf.IConversionOptions = {
  longs: Number,
  enums: Number,
  bytes: Uint8Array,
  defaults: false,
  oneofs: false,
};

function encodeWith(type: protobuf.Type, value: object, what: string): Uint8Array {
  try {
    return type.encode(type.fromObject(value)).finish();
  } catch (error) {
    throw new ProtocolError(`Could not encode ${what}.`, { cause: error });
  }
}

function decodeWith<T>(type: protobuf.Type, bytes: Uint8Array, what: string): T {
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (error) {
    throw new ProtocolError(`Malformed ${what}.`, { cause: error });
  }
  return normalizeBytes(type.toObject(message, TO_OBJECT)) as T;
}

/** protobufjs hands out Buffers for bytes in Node; give callers plain Uint8Arrays (own copies). */
function normalizeBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map(normalizeBytes);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = normalizeBytes(inner);
    return out;
  }
  return value;
}

export function encodeEnvelope(envelope: Envelope): Uint8Array {
  return encodeWith(types.Envelope, envelope, 'envelope');
}

export function decodeEnvelope(bytes: Uint8Array): Envelope {
  const envelope = decodeWith<Envelope>(types.Envelope, bytes, 'envelope');
  if (envelope.type === undefined) throw new ProtocolError('Envelope without a type.');
  return envelope;
}

export function encodeContent(content: Content): Uint8Array {
  return encodeWith(types.Content, content, 'content');
}

/** Decode a Content; one with no field we know (e.g. random bytes that happen to parse) is rejected. */
export function decodeContent(bytes: Uint8Array): Content {
  const content = decodeWith<Content>(types.Content, bytes, 'content');
  if (Object.keys(content).length === 0) throw new ProtocolError('Content with no known message.');
  return content;
}

export function encodeDataMessage(message: DataMessage): Uint8Array {
  return encodeWith(types.DataMessage, message, 'data message');
}

export function decodeDataMessage(bytes: Uint8Array): DataMessage {
  return decodeWith<DataMessage>(types.DataMessage, bytes, 'data message');
}

// ---------------------------------------------------------------------------------------------
// Padding: Signal pads the serialized Content with 0x80 then zeros, to a multiple of 160 bytes minus
// one, so ciphertext lengths reveal only a coarse size class.

const PADDING_BLOCK = 160;

export function paddedLength(contentLength: number): number {
  const withTerminator = contentLength + 2;
  return Math.ceil(withTerminator / PADDING_BLOCK) * PADDING_BLOCK - 1;
}

export function padContent(content: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(paddedLength(content.byteLength));
  out.set(content);
  out[content.byteLength] = 0x80;
  return out;
}

/** Strip trailing zeros and the 0x80 terminator; anything else is malformed. */
export function unpadContent(padded: Uint8Array): Uint8Array {
  let end = padded.byteLength - 1;
  while (end >= 0 && padded[end] === 0) end -= 1;
  if (end < 0 || padded[end] !== 0x80) throw new ProtocolError('Bad message padding.');
  return padded.subarray(0, end);
}

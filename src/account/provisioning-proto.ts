/**
 * Provisioning (device linking) protobufs, written from the public field numbers of Signal's
 * Provisioning.proto (checked against @signalapp/mock-server 27). Parsed with protobufjs; malformed bytes
 * become a ProtocolError.
 */
import protobuf from 'protobufjs';
import { ProtocolError } from '../errors.js';

const PROTO = `
syntax = "proto2";
package carapace.provisioning;

message ProvisioningAddress {
  optional string address = 1;
}

message ProvisionEnvelope {
  optional bytes publicKey = 1;
  optional bytes body = 2;
}

message ProvisionMessage {
  optional bytes aciIdentityKeyPublic = 1;
  optional bytes aciIdentityKeyPrivate = 2;
  optional bytes pniIdentityKeyPublic = 11;
  optional bytes pniIdentityKeyPrivate = 12;
  optional string number = 3;
  optional string provisioningCode = 4;
  optional string userAgent = 5;
  optional bytes profileKey = 6;
  optional bool readReceipts = 7;
  optional uint32 provisioningVersion = 9;
  optional bytes masterKey = 13;
  optional bytes ephemeralBackupKey = 14;
  optional string accountEntropyPool = 15;
  optional bytes mediaRootBackupKey = 16;
  optional bytes aciBinary = 17;
  optional bytes pniBinary = 18;
  optional bytes authCredentialSalt = 19;
}
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;
const AddressType = root.lookupType('carapace.provisioning.ProvisioningAddress');
const EnvelopeType = root.lookupType('carapace.provisioning.ProvisionEnvelope');
const MessageType = root.lookupType('carapace.provisioning.ProvisionMessage');

export interface ProvisionEnvelope {
  readonly publicKey: Uint8Array;
  readonly body: Uint8Array;
}

export interface ProvisionMessage {
  readonly aciIdentityKeyPublic?: Uint8Array;
  readonly aciIdentityKeyPrivate?: Uint8Array;
  readonly pniIdentityKeyPublic?: Uint8Array;
  readonly pniIdentityKeyPrivate?: Uint8Array;
  readonly number?: string;
  readonly provisioningCode?: string;
  readonly userAgent?: string;
  readonly profileKey?: Uint8Array;
  readonly readReceipts?: boolean;
  readonly provisioningVersion?: number;
  readonly masterKey?: Uint8Array;
  readonly ephemeralBackupKey?: Uint8Array;
  readonly accountEntropyPool?: string;
  readonly mediaRootBackupKey?: Uint8Array;
  readonly aciBinary?: Uint8Array;
  readonly pniBinary?: Uint8Array;
  readonly authCredentialSalt?: Uint8Array;
}

function decode<T>(type: protobuf.Type, bytes: Uint8Array, what: string): T {
  try {
    return type.toObject(type.decode(bytes), { bytes: Uint8Array, longs: Number }) as T;
  } catch (error) {
    throw new ProtocolError(`Malformed ${what}`, { cause: error });
  }
}

export function decodeProvisioningAddress(bytes: Uint8Array): string {
  const { address } = decode<{ address?: string }>(AddressType, bytes, 'provisioning address');
  if (!address) throw new ProtocolError('Provisioning address is empty');
  return address;
}

export function decodeProvisionEnvelope(bytes: Uint8Array): ProvisionEnvelope {
  const { publicKey, body } = decode<Partial<ProvisionEnvelope>>(EnvelopeType, bytes, 'provision envelope');
  if (!publicKey || !body) throw new ProtocolError('Provision envelope lacks key or body');
  return { publicKey, body };
}

/**
 * Decodes a ProvisionMessage. Byte fields are copied (protobufjs returns views into the input), so the
 * caller may wipe the decrypted input right away.
 */
export function decodeProvisionMessage(bytes: Uint8Array): ProvisionMessage {
  const raw = decode<Record<string, unknown>>(MessageType, bytes, 'provision message');
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw))
    copy[key] = value instanceof Uint8Array ? new Uint8Array(value) : value;
  return copy;
}

/** Test/demo helper: encode (the phone's side). */
export function encodeProvisionMessage(message: ProvisionMessage): Uint8Array {
  return MessageType.encode(MessageType.fromObject(message)).finish();
}

/**
 * The username calls of Signal's gRPC account services, over our own gRPC framing (grpc.ts):
 * `org.signal.chat.account.Accounts` (authenticated: reserve, confirm, delete a username hash; set the
 * username link) and `AccountsAnonymous` (no credentials: look a username hash or link up). Messages are
 * written from the public field numbers (as served by @signalapp/mock-server 27); only hashes, proofs and
 * ciphertexts cross — the server never sees a username's text.
 */
import protobuf from 'protobufjs';
import { ProtocolError } from '../errors.js';
import { uuidText } from '../signal/bytes.js';
import type { GrpcClient } from './grpc.js';
import type { BasicAuth } from './rest.js';

const PROTO = `
syntax = "proto3";
package carapace.accounts;

message Empty {}
message ServiceIdentifier {
  int32 identity_type = 1;
  bytes uuid = 2;
}
message ReserveUsernameHashRequest { repeated bytes username_hashes = 1; }
message ReserveUsernameHashResponse {
  oneof response {
    bytes username_hash = 1;
    Empty username_not_available = 2;
  }
}
message ConfirmUsernameHashRequest {
  bytes username_hash = 1;
  bytes zk_proof = 2;
  bytes username_ciphertext = 3;
}
message ConfirmedUsernameHash {
  bytes username_hash = 1;
  bytes username_link_handle = 2;
}
message ConfirmUsernameHashResponse {
  oneof response {
    ConfirmedUsernameHash confirmed_username_hash = 1;
    Empty reservation_not_found = 2;
    Empty username_not_available = 3;
  }
}
message SetUsernameLinkRequest {
  bytes username_ciphertext = 1;
  bool keep_link_handle = 2;
}
message SetUsernameLinkResponse {
  oneof response {
    bytes username_link_handle = 1;
    Empty no_username_set = 2;
  }
}
message LookupUsernameHashRequest { bytes username_hash = 1; }
message LookupUsernameHashResponse {
  oneof response {
    ServiceIdentifier service_identifier = 1;
    Empty not_found = 2;
  }
}
message LookupUsernameLinkRequest { bytes username_link_handle = 1; }
message LookupUsernameLinkResponse {
  oneof response {
    bytes username_ciphertext = 1;
    Empty not_found = 2;
  }
}
`;

const root = protobuf.parse(PROTO, { keepCase: false }).root;
const type = (name: string): protobuf.Type => root.lookupType(`carapace.accounts.${name}`);

const ACCOUNTS = '/org.signal.chat.account.Accounts';
const ANONYMOUS = '/org.signal.chat.account.AccountsAnonymous';
const IDENTITY_TYPE_ACI = 1;
/** A link handle is a UUID (16 bytes); a username hash is 32 bytes. */
const HANDLE_BYTES = 16;
const HASH_BYTES = 32;

function encode(name: string, value: Record<string, unknown>): Uint8Array {
  const message = type(name);
  return message.encode(message.fromObject(value)).finish();
}

function decode(name: string, bytes: Uint8Array): Record<string, unknown> {
  try {
    return type(name).toObject(type(name).decode(bytes), { defaults: false, bytes: Buffer });
  } catch (error) {
    throw new ProtocolError('The server sent a malformed account answer.', { cause: error });
  }
}

function bytesOf(value: unknown, length?: number): Buffer | undefined {
  if (!Buffer.isBuffer(value)) return undefined;
  if (length !== undefined && value.length !== length) return undefined;
  return value;
}

export interface AccountsCallOptions {
  readonly signal?: AbortSignal;
}

/** The account's gRPC calls on one client; `auth` is the account login for the authenticated ones. */
export class AccountsGrpc {
  constructor(
    private readonly grpc: GrpcClient,
    private readonly auth: BasicAuth | undefined,
    private readonly options: AccountsCallOptions = {},
  ) {}

  async #call(path: string, message: Uint8Array, authenticated: boolean): Promise<Buffer> {
    return this.grpc.unary({
      path,
      message,
      ...(authenticated && this.auth ? { auth: this.auth } : {}),
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    });
  }

  /** Holds the first free hash of `hashes` for us; undefined when none is free. */
  async reserveUsernameHash(hashes: readonly Uint8Array[]): Promise<Buffer | undefined> {
    const answer = decode(
      'ReserveUsernameHashResponse',
      await this.#call(
        `${ACCOUNTS}/ReserveUsernameHash`,
        encode('ReserveUsernameHashRequest', { usernameHashes: hashes.map((h) => Buffer.from(h)) }),
        true,
      ),
    );
    if (answer.usernameNotAvailable !== undefined) return undefined;
    const hash = bytesOf(answer.usernameHash, HASH_BYTES);
    if (!hash || !hashes.some((h) => hash.equals(h))) {
      throw new ProtocolError('The server reserved a username we did not ask for.');
    }
    return hash;
  }

  /** Confirms the reserved hash with its proof; the link ciphertext becomes our username link. */
  async confirmUsernameHash(request: {
    readonly hash: Uint8Array;
    readonly proof: Uint8Array;
    readonly linkCiphertext: Uint8Array;
  }): Promise<
    { kind: 'confirmed'; linkHandle: string } | { kind: 'reservation-not-found' } | { kind: 'not-available' }
  > {
    const answer = decode(
      'ConfirmUsernameHashResponse',
      await this.#call(
        `${ACCOUNTS}/ConfirmUsernameHash`,
        encode('ConfirmUsernameHashRequest', {
          usernameHash: Buffer.from(request.hash),
          zkProof: Buffer.from(request.proof),
          usernameCiphertext: Buffer.from(request.linkCiphertext),
        }),
        true,
      ),
    );
    if (answer.reservationNotFound !== undefined) return { kind: 'reservation-not-found' };
    if (answer.usernameNotAvailable !== undefined) return { kind: 'not-available' };
    const confirmed = answer.confirmedUsernameHash as Record<string, unknown> | undefined;
    const handle = bytesOf(confirmed?.usernameLinkHandle, HANDLE_BYTES);
    if (!handle) throw new ProtocolError('The server confirmed the username without a link handle.');
    return { kind: 'confirmed', linkHandle: uuidText(handle) };
  }

  async deleteUsernameHash(): Promise<void> {
    await this.#call(`${ACCOUNTS}/DeleteUsernameHash`, encode('Empty', {}), true);
  }

  /** Replaces our link's ciphertext; a new handle unless `keepHandle`. Undefined when we have no username. */
  async setUsernameLink(ciphertext: Uint8Array, keepHandle: boolean): Promise<string | undefined> {
    const answer = decode(
      'SetUsernameLinkResponse',
      await this.#call(
        `${ACCOUNTS}/SetUsernameLink`,
        encode('SetUsernameLinkRequest', {
          usernameCiphertext: Buffer.from(ciphertext),
          keepLinkHandle: keepHandle,
        }),
        true,
      ),
    );
    if (answer.noUsernameSet !== undefined) return undefined;
    const handle = bytesOf(answer.usernameLinkHandle, HANDLE_BYTES);
    if (!handle) throw new ProtocolError('The server set the username link without a handle.');
    return uuidText(handle);
  }

  /** The ACI holding a username hash, or undefined. Sent without our credentials. */
  async lookupUsernameHash(hash: Uint8Array): Promise<string | undefined> {
    const answer = decode(
      'LookupUsernameHashResponse',
      await this.#call(
        `${ANONYMOUS}/LookupUsernameHash`,
        encode('LookupUsernameHashRequest', { usernameHash: Buffer.from(hash) }),
        false,
      ),
    );
    if (answer.notFound !== undefined) return undefined;
    const id = answer.serviceIdentifier as Record<string, unknown> | undefined;
    const uuid = bytesOf(id?.uuid, 16);
    if (!uuid || id?.identityType !== IDENTITY_TYPE_ACI) {
      throw new ProtocolError('The server answered the username lookup with no Signal ID.');
    }
    return uuidText(uuid);
  }

  /** The encrypted username behind a link handle, or undefined. Sent without our credentials. */
  async lookupUsernameLink(handle: Uint8Array): Promise<Buffer | undefined> {
    const answer = decode(
      'LookupUsernameLinkResponse',
      await this.#call(
        `${ANONYMOUS}/LookupUsernameLink`,
        encode('LookupUsernameLinkRequest', { usernameLinkHandle: Buffer.from(handle) }),
        false,
      ),
    );
    if (answer.notFound !== undefined) return undefined;
    const ciphertext = bytesOf(answer.usernameCiphertext);
    if (!ciphertext || ciphertext.length === 0) {
      throw new ProtocolError('The server answered the link lookup with nothing.');
    }
    return ciphertext;
  }
}

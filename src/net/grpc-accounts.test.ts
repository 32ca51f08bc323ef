/**
 * The username gRPC calls against a hostile server: answers that do not fit what we asked are PROTOCOL
 * errors, never a wrong username or Signal ID; lookups never carry our login.
 */
import type { IncomingHttpHeaders } from 'node:http2';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ProtocolError } from '../errors.js';
import { directSocketOpener } from './direct-opener.js';
import { AccountsGrpc } from './grpc-accounts.js';
import { encodeGrpcFrame, GrpcClient } from './grpc.js';
import { MOCK_CA_PEM, startHostileServer, type HostileServer } from './test-support/hostile-server.js';

let server: HostileServer | undefined;
let client: GrpcClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

/** A server answering every call with `answer` (a serialized response message); records the headers. */
async function accountsAnswering(answer: Buffer, seen: IncomingHttpHeaders[] = []): Promise<AccountsGrpc> {
  server = await startHostileServer({
    onRequest: (stream, headers) => {
      seen.push(headers);
      stream.resume();
      stream.on('end', () => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(encodeGrpcFrame(answer));
      });
    },
  });
  client = new GrpcClient({
    endpoint: server.endpoint,
    trustRootsPem: [MOCK_CA_PEM],
    openSocket: directSocketOpener,
  });
  return new AccountsGrpc(client, { username: 'aci.1', password: 'secret' });
}

/** A length-delimited protobuf field (lengths < 128). */
function field(number: number, bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);
}

describe('username gRPC calls against a hostile server', () => {
  it('a reservation of a hash we did not ask for is a protocol error', async () => {
    const accounts = await accountsAnswering(field(1, randomBytes(32)));
    await expect(accounts.reserveUsernameHash([randomBytes(32)])).rejects.toThrow(ProtocolError);
  });

  it('a lookup answered with a PNI (not an ACI) is a protocol error; the lookup carries no login', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const pni = field(1, Buffer.concat([Buffer.from([0x08, 0x02]), field(2, randomBytes(16))]));
    const accounts = await accountsAnswering(pni, seen);
    await expect(accounts.lookupUsernameHash(randomBytes(32))).rejects.toThrow(ProtocolError);
    expect(seen[0]?.authorization).toBeUndefined();
    expect(seen[0]?.[':path']).toBe('/org.signal.chat.account.AccountsAnonymous/LookupUsernameHash');
  });

  it('a confirmation without a link handle, or garbage, is a protocol error', async () => {
    let accounts = await accountsAnswering(field(1, field(1, randomBytes(32))));
    const request = { hash: randomBytes(32), proof: randomBytes(8), linkCiphertext: randomBytes(8) };
    await expect(accounts.confirmUsernameHash(request)).rejects.toThrow(ProtocolError);
    client?.close();
    await server?.close();
    accounts = await accountsAnswering(Buffer.from([0xff, 0xff, 0xff]));
    await expect(accounts.lookupUsernameLink(randomBytes(16))).rejects.toThrow(ProtocolError);
  });
});

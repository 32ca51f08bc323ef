/**
 * The key-backup client over the real transport: the src/net RestClient (HTTP/2, TLS pinned to the demo
 * CA) talking to the demo SVR routes served by a local TLS server. Proves the JSON wire format and the
 * typed errors end to end, with real libsignal PIN hashing.
 */
import type { IncomingHttpHeaders } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyBackupUnavailableError, WrongPinError } from '../errors.js';
import { DemoSvr } from '../demo/svr/handler.js';
import { directSocketOpener } from '../net/direct-opener.js';
import { RestClient } from '../net/rest.js';
import { MOCK_CA_PEM, startHostileServer, type HostileServer } from '../net/test-support/hostile-server.js';
import { createTestDb, type TestDb } from '../test-support/db.js';
import { AccountKv } from './account-kv.js';
import { createKeyBackupClient, restJsonSend } from './key-backup-client.js';
import { generateStrongPin } from './pin-policy.js';
import { PinService, recoverMasterKey } from './pin-service.js';

describe('key backup over HTTP/2 + TLS', () => {
  let server: HostileServer;
  let rest: RestClient;
  let temp: TestDb;
  const svr = new DemoSvr({
    authenticate: (headers) =>
      headers.authorization === 'Basic device' ? { aci: 'aci-rest', e164: '+15550107777' } : undefined,
  });
  const requests: string[] = [];

  beforeAll(async () => {
    server = await startHostileServer({
      onRequest: (stream, headers: IncomingHttpHeaders) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          const method = String(headers[':method']);
          const path = String(headers[':path']);
          requests.push(`${method} ${path}`);
          const plain: Record<string, string> = {};
          for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') plain[k] = v;
          const response = svr.handle(method, path, plain, body) ?? {
            status: 404,
            json: { error: 'not-found' },
          };
          stream.respond({ ':status': response.status, 'content-type': 'application/json' });
          stream.end(response.json === undefined ? undefined : JSON.stringify(response.json));
        });
      },
    });
    rest = new RestClient({
      endpoint: server.endpoint,
      trustRootsPem: [MOCK_CA_PEM],
      openSocket: directSocketOpener,
    });
    svr.registrationLock.recordRegistration('+15550107777', 'aci-rest');
    temp = createTestDb();
  });
  afterAll(async () => {
    rest.close();
    await server.close();
    temp.dispose();
  });

  it('sets a PIN, turns on registration lock, and restores the master key with the PIN', async () => {
    const client = createKeyBackupClient(restJsonSend(rest), () => ({ authorization: 'Basic device' }));
    const service = new PinService(new AccountKv(temp.db), client, client);
    const pin = generateStrongPin();
    await service.setPin(pin);
    await service.setRegistrationLock(true);
    expect(svr.registrationLock.isLocked('+15550107777')).toBe(true);

    const credentials = await client.credentials();
    await expect(recoverMasterKey('Not-The-Pin-123456789', credentials, client)).rejects.toThrow(
      WrongPinError,
    );
    const recovered = await recoverMasterKey(pin, credentials, client);
    const stored = service.masterKey();
    expect(recovered.equals(stored)).toBe(true);
    recovered.fill(0);
    stored.fill(0);

    await service.removePin();
    expect(svr.registrationLock.isLocked('+15550107777')).toBe(false);
    await expect(recoverMasterKey(pin, credentials, client)).rejects.toThrow(KeyBackupUnavailableError);
    expect(requests).toEqual(
      expect.arrayContaining([
        'GET /v2/backup/auth',
        'PUT /v1/demo-svr/backup',
        'PUT /v1/accounts/registration_lock',
        'POST /v1/demo-svr/restore',
        'DELETE /v1/accounts/registration_lock',
        'DELETE /v1/demo-svr/backup',
      ]),
    );
  });
});

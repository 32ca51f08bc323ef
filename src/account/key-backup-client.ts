/**
 * The client half of the demo key-backup / registration-lock routes (src/demo/svr/handler.ts documents
 * them), written against a generic JSON `send` function so the transport (src/net REST client) or an
 * in-process server (tests) can carry it. No sockets here.
 *
 * These routes take the PIN-derived access key in the clear: a server holding it can try PINs offline.
 * That is acceptable only against the local demo network, so `keyBackupClientFor` hands them out for a
 * demo configuration alone and refuses everywhere else (see `capabilitiesOf` in src/net/config.ts).
 */
import { z } from 'zod';
import {
  KeyBackupUnavailableError,
  NotAvailableError,
  ProtocolError,
  ServerError,
  WrongPinError,
} from '../errors.js';
import { capabilitiesOf, type ClientConfig } from '../net/config.js';
import type { ChatRequester } from '../messaging/delivery.js';
import type { RestRequest, RestResponse } from '../net/rest.js';
import { demoEnclaveId } from './pin.js';
import type { KeyBackupClient, RegistrationLockClient, SvrCredentials } from './pin-service.js';

export interface JsonRequest {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
}
export interface JsonResponse {
  readonly status: number;
  readonly json?: unknown;
}
export type JsonSend = (request: JsonRequest) => Promise<JsonResponse>;

/** A JsonSend over the transport's REST client (src/net/rest.ts `RestClient.request`). */
export function restJsonSend(rest: { request(request: RestRequest): Promise<RestResponse> }): JsonSend {
  return async (request) => {
    const response = await rest.request({
      method: request.method,
      path: request.path,
      headers: request.headers,
      ...(request.body !== undefined ? { json: request.body } : {}),
    });
    let json: unknown;
    if (response.body.length > 0) {
      try {
        json = JSON.parse(response.body.toString('utf8'));
      } catch {
        throw new ProtocolError('The key-backup service answered with invalid JSON.');
      }
    }
    return { status: response.status, json };
  };
}

/** A JsonSend over a ChatRequester: the running messaging client's authenticated chat socket. */
export function requesterJsonSend(request: ChatRequester): JsonSend {
  return async ({ method, path, headers, body }) => {
    const response = await request({
      verb: method,
      path,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: Buffer.from(JSON.stringify(body), 'utf8') } : {}),
    });
    return { status: response.status, json: parseJsonBody(response.body) };
  };
}

/** A JSON answer's body; undefined when empty or not JSON (the caller's schema then refuses it). */
function parseJsonBody(body: Uint8Array | undefined): unknown {
  if (!body || body.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

const credentialsSchema = z.object({
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(512),
});

/** The body of a 423 answer to POST /v1/registration. */
export const registrationLockedBodySchema = z.object({
  timeRemaining: z.number().nonnegative(),
  svr2Credentials: credentialsSchema,
});
export type RegistrationLockedBody = z.infer<typeof registrationLockedBodySchema>;

export function parseRegistrationLockedBody(json: unknown): RegistrationLockedBody {
  const parsed = registrationLockedBodySchema.safeParse(json);
  if (!parsed.success) throw new ProtocolError('The registration-lock response is malformed.');
  return parsed.data;
}

export function basicAuthorization(credentials: SvrCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}

const restoreOk = z.object({ wrappedMasterKey: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/) });
const restoreWrong = z.object({ error: z.literal('wrong-pin'), triesRemaining: z.number().int().min(0) });
const restoreGone = z.object({ error: z.enum(['backup-deleted', 'no-backup']) });

function expectStatus(response: JsonResponse, ok: readonly number[], what: string): void {
  if (!ok.includes(response.status)) throw new ServerError(`${what} failed.`, response.status);
}

/** Throws NOT_AVAILABLE unless `config` has a key backup (checked before any connection is opened). */
export function requirePinBackup(config: ClientConfig): void {
  if (!capabilitiesOf(config).pinBackup) {
    throw new NotAvailableError('PIN backup is not available in this build.');
  }
}

/** Throws NOT_AVAILABLE unless `config` has registration lock (it needs the PIN backup). */
export function requireRegistrationLock(config: ClientConfig): void {
  if (!capabilitiesOf(config).registrationLock) {
    throw new NotAvailableError('Registration lock is not available in this build: it needs PIN backup.');
  }
}

/** The key-backup transport `config` has: the demo routes on the demo network; none in production. */
export function keyBackupClientFor(
  config: ClientConfig,
  send: JsonSend,
): KeyBackupClient & RegistrationLockClient {
  requirePinBackup(config);
  return createKeyBackupClient(send, () => ({}));
}

/**
 * The demo routes' KeyBackupClient + RegistrationLockClient over `send` (tests; the app goes through
 * `keyBackupClientFor`). `accountHeaders` returns the registered
 * account's own Authorization header (for /v2/backup/auth and the registration-lock routes).
 */
export function createKeyBackupClient(
  send: JsonSend,
  accountHeaders: () => Readonly<Record<string, string>>,
): KeyBackupClient & RegistrationLockClient {
  return {
    enclaveId: demoEnclaveId(),
    async credentials() {
      const response = await send({ method: 'GET', path: '/v2/backup/auth', headers: accountHeaders() });
      expectStatus(response, [200], 'Getting key-backup credentials');
      const parsed = credentialsSchema.safeParse(response.json);
      if (!parsed.success) throw new ProtocolError('The key-backup credentials are malformed.');
      return parsed.data;
    },
    async backup(credentials, accessKey, wrappedMasterKey) {
      const response = await send({
        method: 'PUT',
        path: '/v1/demo-svr/backup',
        headers: { authorization: basicAuthorization(credentials) },
        body: {
          accessKey: Buffer.from(accessKey).toString('base64'),
          wrappedMasterKey: Buffer.from(wrappedMasterKey).toString('base64'),
          maxTries: 10,
        },
      });
      expectStatus(response, [200, 204], 'Storing the key backup');
    },
    async restore(credentials, accessKey) {
      const response = await send({
        method: 'POST',
        path: '/v1/demo-svr/restore',
        headers: { authorization: basicAuthorization(credentials) },
        body: { accessKey: Buffer.from(accessKey).toString('base64') },
      });
      if (response.status === 200) {
        const ok = restoreOk.safeParse(response.json);
        if (!ok.success) throw new ProtocolError('The key-backup response is malformed.');
        return { wrappedMasterKey: Buffer.from(ok.data.wrappedMasterKey, 'base64') };
      }
      if (response.status === 401) {
        const wrong = restoreWrong.safeParse(response.json);
        if (wrong.success) {
          if (wrong.data.triesRemaining === 0) throw new KeyBackupUnavailableError('deleted');
          throw new WrongPinError(wrong.data.triesRemaining);
        }
      }
      if (response.status === 404) {
        const gone = restoreGone.safeParse(response.json);
        if (gone.success) {
          throw new KeyBackupUnavailableError(gone.data.error === 'backup-deleted' ? 'deleted' : 'missing');
        }
      }
      throw new ServerError('Restoring the key backup failed.', response.status);
    },
    async delete(credentials) {
      const response = await send({
        method: 'DELETE',
        path: '/v1/demo-svr/backup',
        headers: { authorization: basicAuthorization(credentials) },
      });
      expectStatus(response, [200, 204], 'Deleting the key backup');
    },
    async enable(token) {
      const response = await send({
        method: 'PUT',
        path: '/v1/accounts/registration_lock',
        headers: accountHeaders(),
        body: { registrationLock: token },
      });
      expectStatus(response, [200, 204], 'Turning on registration lock');
    },
    async disable() {
      const response = await send({
        method: 'DELETE',
        path: '/v1/accounts/registration_lock',
        headers: accountHeaders(),
      });
      expectStatus(response, [200, 204], 'Turning off registration lock');
    },
  };
}

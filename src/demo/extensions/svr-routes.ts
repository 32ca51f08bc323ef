/**
 * Mounts the demo key backup, registration lock (src/demo/svr) and the demo storage service in the live
 * demo server. @signalapp/mock-server 27 serves the chat API as requests over the chat WebSocket (as
 * Signal clients talk to the real chat server), so these routes are answered there too, BEFORE the
 * stock router sees them:
 *
 * - account routes (GET /v2/backup/auth, PUT/DELETE /v1/accounts/registration_lock, PUT/GET
 *   /v1/demo-storage/account-data) need an authenticated chat socket (the account's own credentials);
 * - SVR routes (/v1/demo-svr/*) and GET /v1/demo-storage/account-data also accept the SVR credentials of
 *   a 423 answer in a per-request `authorization` header, on an unauthenticated socket (a fresh install
 *   recovering before it re-registers);
 * - POST /v1/registration: `checkRegistration` runs first (423 { timeRemaining, svr2Credentials } while
 *   the number's lock is active and no right token came in accountAttributes.registrationLock);
 *   `recordRegistration` after the stock handler succeeded;
 * - any request on an authenticated socket counts as activity (`registrationLock.touch`).
 *
 * Re-registering a known number keeps its ACI and PNI (as Signal's server does); see `reclaimNumber`.
 */
import { z } from 'zod';
import type { Device } from '@signalapp/mock-server';
import { errorFields, log } from '../../log.js';
import { DemoSvr, type AuthenticatedAccount, type SvrHttpResponse } from '../svr/handler.js';
import { DemoStorageService } from '../svr/storage-service.js';

/** The mock's WebSocket request/response frames, only the fields used here. */
export interface SvrWsRequest {
  readonly id?: unknown;
  readonly verb?: string | null;
  readonly path?: string | null;
  readonly body?: Uint8Array | null;
  readonly headers?: readonly string[] | null;
}
export interface SvrWsResponse {
  readonly id?: unknown;
  readonly status: number;
  readonly message: null;
  readonly headers: string[];
  readonly body: Buffer | null;
}

const STORAGE_PATH = '/v1/demo-storage/account-data';
const storageBody = z.object({
  data: z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/)
    .max(400_000),
});
const registrationBody = z.object({
  sessionId: z.string(),
  accountAttributes: z.object({ registrationLock: z.string().nullish() }).passthrough(),
});

function headerMap(request: SvrWsRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of request.headers ?? []) {
    const colon = pair.indexOf(':');
    if (colon <= 0) continue;
    headers[pair.slice(0, colon).trim().toLowerCase()] = pair.slice(colon + 1).trim();
  }
  return headers;
}

function parseBody(body: Uint8Array | null | undefined): unknown {
  if (!body || body.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

function toWs(request: SvrWsRequest, response: SvrHttpResponse): SvrWsResponse {
  return {
    id: request.id,
    status: response.status,
    message: null,
    headers: response.json === undefined ? [] : ['Content-Type:application/json'],
    body: response.json === undefined ? null : Buffer.from(JSON.stringify(response.json)),
  };
}

function accountOf(device: Device | undefined): AuthenticatedAccount | undefined {
  const number = device?.number;
  return device && number ? { aci: device.aci, e164: number } : undefined;
}

/** The mock server's internal state touched by a re-registration (plain JS fields of the base class). */
interface MockServerInternals {
  readonly devices: Map<string, Device[]>;
  readonly primaryByServiceId: Map<string, Device>;
  readonly devicesByAuth: Map<string, unknown>;
}

export class SvrMount {
  readonly svr: DemoSvr;
  readonly storage = new DemoStorageService();
  #authenticated: AuthenticatedAccount | undefined;

  constructor(options: { clock?: () => number } = {}) {
    this.svr = new DemoSvr({
      authenticate: () => this.#authenticated,
      ...(options.clock ? { now: options.clock } : {}),
    });
  }

  /**
   * Answers a chat-socket request that is ours, or returns undefined to let the stock router handle it.
   * `getSessionNumber` resolves a verification session id to its number (the mock's session store).
   */
  intercept(
    device: Device | undefined,
    request: SvrWsRequest,
    getSessionNumber: (sessionId: string) => string | undefined,
  ): SvrWsResponse | undefined {
    const account = accountOf(device);
    if (account) this.svr.registrationLock.touch(account.e164);
    const verb = (request.verb ?? '').toUpperCase();
    const path = (request.path ?? '').split('?')[0] ?? '';
    try {
      if (verb === 'POST' && path === '/v1/registration') {
        const parsed = registrationBody.safeParse(parseBody(request.body));
        if (!parsed.success) return undefined; // the stock handler answers 400
        const number = getSessionNumber(parsed.data.sessionId);
        if (!number) return undefined;
        const refused = this.svr.checkRegistration(
          number,
          parsed.data.accountAttributes.registrationLock ?? undefined,
        );
        return refused ? toWs(request, refused) : undefined;
      }
      if (path === STORAGE_PATH) return this.#storage(verb, request, account);
      const headers = headerMap(request);
      this.#authenticated = account;
      try {
        const response = this.svr.handle(verb, path, headers, parseBody(request.body));
        return response ? toWs(request, response) : undefined;
      } finally {
        this.#authenticated = undefined;
      }
    } catch (error) {
      log.warn('demo.svr.request_failed', errorFields(error));
      return toWs(request, { status: 500, json: { error: 'internal' } });
    }
  }

  /** After the stock handler answered POST /v1/registration with 200. */
  registered(request: SvrWsRequest, aci: string, getSessionNumber: (id: string) => string | undefined): void {
    const parsed = registrationBody.safeParse(parseBody(request.body));
    if (!parsed.success) return;
    const number = getSessionNumber(parsed.data.sessionId);
    if (!number) return;
    this.svr.recordRegistration(number, aci, parsed.data.accountAttributes.registrationLock ?? undefined);
  }

  #storage(verb: string, request: SvrWsRequest, account: AuthenticatedAccount | undefined): SvrWsResponse {
    const svrUsername = account
      ? this.svr.credentials.usernameFor(account.aci)
      : verb === 'GET'
        ? this.svr.credentials.verifyBasicAuth(headerMap(request).authorization)
        : undefined;
    if (!svrUsername) return toWs(request, { status: 401, json: { error: 'unauthorized' } });
    if (verb === 'GET') {
      const stored = this.storage.get(svrUsername);
      if (!stored) return toWs(request, { status: 404, json: { error: 'no-account-data' } });
      return toWs(request, {
        status: 200,
        json: { data: stored.data.toString('base64'), version: stored.version },
      });
    }
    if (verb === 'PUT') {
      const parsed = storageBody.safeParse(parseBody(request.body));
      if (!parsed.success) return toWs(request, { status: 400, json: { error: 'bad-request' } });
      try {
        const version = this.storage.put(svrUsername, Buffer.from(parsed.data.data, 'base64'));
        return toWs(request, { status: 200, json: { version } });
      } catch {
        return toWs(request, { status: 413, json: { error: 'too-large' } });
      }
    }
    if (verb === 'DELETE') {
      this.storage.delete(svrUsername);
      return toWs(request, { status: 204 });
    }
    return toWs(request, { status: 405, json: { error: 'method-not-allowed' } });
  }
}

/**
 * A registration of `number` that already has a primary (not one of the mock's simulated phones): drop
 * the old account's devices and logins and return the identity to register under again (same ACI, PNI
 * and auth-credential salt), as Signal's server does for a re-registration. Undefined: a new number.
 */
export function reclaimNumber(
  server: unknown,
  number: string,
): { old: Device; primary: Pick<Device, 'aci' | 'pni' | 'number' | 'authCredentialSalt'> } | undefined {
  const internals = server as MockServerInternals;
  let old: Device | undefined;
  for (const device of internals.primaryByServiceId.values()) {
    if (device.number === number) {
      old = device;
      break;
    }
  }
  if (!old) return undefined;
  const list = internals.devices.get(old.aci) ?? [];
  for (const device of list) internals.devicesByAuth.delete(`${device.aci}.${device.deviceId}`);
  internals.devices.delete(old.aci);
  internals.primaryByServiceId.delete(old.aci);
  if (old.pni) internals.primaryByServiceId.delete(old.pni);
  return {
    old,
    primary: { aci: old.aci, pni: old.pni, number: old.number, authCredentialSalt: old.authCredentialSalt },
  };
}

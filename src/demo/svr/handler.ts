/**
 * HTTP surface of the demo key backup + registration lock, as one plain function the demo server mounts:
 * `handle(method, path, headers, jsonBody) → { status, json } | undefined` (undefined: not our route).
 *
 * Routes (JSON bodies; binary fields base64):
 * - GET    /v2/backup/auth                      account auth → 200 { username, password } (SVR credentials)
 * - PUT    /v1/accounts/registration_lock       account auth, { registrationLock: hex64 } → 204
 * - DELETE /v1/accounts/registration_lock       account auth → 204
 * - PUT    /v1/demo-svr/backup                  SVR Basic auth, { accessKey, wrappedMasterKey, maxTries? } → 204
 * - POST   /v1/demo-svr/restore                 SVR Basic auth, { accessKey } →
 *            200 { wrappedMasterKey, triesRemaining } | 401 { error: 'wrong-pin', triesRemaining, deleted }
 *            | 404 { error: 'backup-deleted' } | 404 { error: 'no-backup' }
 * - DELETE /v1/demo-svr/backup                  SVR Basic auth → 204
 * Signal's real SVR2 speaks an attested Noise channel to an SGX enclave; the demo replaces that channel
 * with these plain routes over the demo server's TLS and keeps the same keys, limits and semantics.
 *
 * Registration itself is the mock server's route: the demo server calls `checkRegistration` before
 * letting POST /v1/registration through, and `recordRegistration` after it succeeds.
 */
import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import { SvrCredentialIssuer } from './credentials.js';
import { KeyBackupService } from './key-backup-service.js';
import { RegistrationLockPolicy, type RegistrationDecision } from './registration-lock.js';

export interface SvrHttpResponse {
  readonly status: number;
  readonly json?: unknown;
}

/** Who an authenticated request comes from; supplied by the demo server's own auth. */
export interface AuthenticatedAccount {
  readonly aci: string;
  readonly e164: string;
}

export type Headers = Readonly<Record<string, string | string[] | undefined>>;

export interface DemoSvrOptions {
  /** Resolve the account behind a request's `Authorization` header (the demo server knows its accounts). */
  readonly authenticate: (headers: Headers) => AuthenticatedAccount | undefined;
  readonly now?: () => number;
  readonly inactivityMs?: number;
}

const b64 = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/)
    .transform((s) => Buffer.from(s, 'base64'))
    .refine((b) => b.length === bytes, `must be ${bytes} bytes`);

const backupBody = z.object({
  accessKey: b64(32),
  wrappedMasterKey: b64(48),
  maxTries: z.number().int().min(1).max(10).optional(),
});
const restoreBody = z.object({ accessKey: b64(32) });
const lockBody = z.object({ registrationLock: z.string().regex(/^[0-9a-f]{64}$/) });

function header(headers: Headers, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

const unauthorized: SvrHttpResponse = { status: 401, json: { error: 'unauthorized' } };
const badRequest: SvrHttpResponse = { status: 400, json: { error: 'bad-request' } };

export class DemoSvr {
  readonly credentials: SvrCredentialIssuer;
  readonly backups = new KeyBackupService();
  readonly registrationLock: RegistrationLockPolicy;
  private readonly authenticate: DemoSvrOptions['authenticate'];

  constructor(options: DemoSvrOptions) {
    this.authenticate = options.authenticate;
    const now = options.now ?? Date.now;
    this.credentials = new SvrCredentialIssuer({ now });
    this.registrationLock = new RegistrationLockPolicy(this.credentials, {
      now,
      ...(options.inactivityMs !== undefined ? { inactivityMs: options.inactivityMs } : {}),
    });
  }

  /** Route a request; undefined when the path is not one of ours. Never throws on bad input. */
  handle(method: string, path: string, headers: Headers, body: unknown): SvrHttpResponse | undefined {
    const route = `${method.toUpperCase()} ${path.split('?')[0]}`;
    try {
      switch (route) {
        case 'GET /v2/backup/auth': {
          const account = this.authenticate(headers);
          if (!account) return unauthorized;
          this.registrationLock.touch(account.e164);
          return { status: 200, json: this.credentials.issue(account.aci) };
        }
        case 'PUT /v1/accounts/registration_lock': {
          const account = this.authenticate(headers);
          if (!account) return unauthorized;
          const parsed = lockBody.safeParse(body);
          if (!parsed.success) return badRequest;
          this.ensureAccount(account);
          return this.registrationLock.setLock(account.e164, parsed.data.registrationLock)
            ? { status: 204 }
            : badRequest;
        }
        case 'DELETE /v1/accounts/registration_lock': {
          const account = this.authenticate(headers);
          if (!account) return unauthorized;
          this.ensureAccount(account);
          this.registrationLock.setLock(account.e164, undefined);
          return { status: 204 };
        }
        case 'PUT /v1/demo-svr/backup': {
          const username = this.credentials.verifyBasicAuth(header(headers, 'authorization'));
          if (!username) return unauthorized;
          const parsed = backupBody.safeParse(body);
          if (!parsed.success) return badRequest;
          this.backups.backup(
            username,
            parsed.data.accessKey,
            parsed.data.wrappedMasterKey,
            parsed.data.maxTries,
          );
          parsed.data.accessKey.fill(0);
          return { status: 204 };
        }
        case 'POST /v1/demo-svr/restore': {
          const username = this.credentials.verifyBasicAuth(header(headers, 'authorization'));
          if (!username) return unauthorized;
          const parsed = restoreBody.safeParse(body);
          if (!parsed.success) return badRequest;
          const result = this.backups.restore(username, parsed.data.accessKey);
          parsed.data.accessKey.fill(0);
          switch (result.status) {
            case 'ok':
              return {
                status: 200,
                json: {
                  wrappedMasterKey: result.wrappedMasterKey.toString('base64'),
                  triesRemaining: result.triesRemaining,
                },
              };
            case 'wrong-pin':
              return {
                status: 401,
                json: { error: 'wrong-pin', triesRemaining: result.triesRemaining, deleted: result.deleted },
              };
            case 'deleted':
              return { status: 404, json: { error: 'backup-deleted' } };
            case 'missing':
              return { status: 404, json: { error: 'no-backup' } };
          }
          return badRequest;
        }
        case 'DELETE /v1/demo-svr/backup': {
          const username = this.credentials.verifyBasicAuth(header(headers, 'authorization'));
          if (!username) return unauthorized;
          this.backups.delete(username);
          return { status: 204 };
        }
        default:
          return undefined;
      }
    } catch (error) {
      if (error instanceof ValidationError) return badRequest;
      return { status: 500, json: { error: 'internal' } };
    }
  }

  /**
   * Before the mock server handles POST /v1/registration for `e164`: a 423 response to send instead,
   * or undefined to let the registration proceed. `registrationLock` is accountAttributes.registrationLock.
   */
  checkRegistration(e164: string, registrationLock: string | undefined): SvrHttpResponse | undefined {
    const decision: RegistrationDecision = this.registrationLock.check(e164, registrationLock);
    if (decision.allowed) return undefined;
    return { status: decision.status, json: decision.body };
  }

  /** After a registration of `e164` succeeded (new ACI or the same one). */
  recordRegistration(e164: string, aci: string, registrationLock: string | undefined): void {
    const decision = this.registrationLock.check(e164, registrationLock);
    this.registrationLock.recordRegistration(e164, aci, {
      keepLock: decision.allowed && decision.lockPassed,
    });
  }

  private ensureAccount(account: AuthenticatedAccount): void {
    if (this.registrationLock.aciFor(account.e164) === undefined) {
      this.registrationLock.recordRegistration(account.e164, account.aci);
    }
  }
}

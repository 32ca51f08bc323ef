/**
 * Registration as a PRIMARY device through the chat service's verification-session flow, as served by
 * Signal's chat server and @signalapp/mock-server 27 (requests over the unauthenticated chat WebSocket):
 *
 *   POST  /v1/verification/session            {number}            → session (requestedInformation)
 *   PATCH /v1/verification/session/:id        {captcha}           → allowedToRequestCode
 *   POST  /v1/verification/session/:id/code   {transport, client} → code sent (the mock's code: 111111)
 *   PUT   /v1/verification/session/:id/code   {code}              → verified
 *   POST  /v1/registration  (Basic number:password)  account attributes + ACI/PNI identity keys +
 *                                                     signed and Kyber last-resort prekeys
 *   PUT   /v2/keys?identity=aci|pni (authenticated)  one-time EC and Kyber prekeys
 *
 * Keeping the prekeys stocked afterwards is the running client's job (src/messaging/prekey-maintenance.ts).
 *
 * Key material is generated and persisted in the vault (src/signal/keys.ts) before anything is sent.
 * Nothing here logs the number, the password, the code or keys.
 */
import { randomBytes } from 'node:crypto';
import { ProfileKey } from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import {
  isCarapaceError,
  NetworkError,
  PreconditionError,
  ProtocolError,
  RegistrationLockedError,
  ServerError,
  ValidationError,
  VerificationCodeError,
} from '../errors.js';
import { errorFields, log } from '../log.js';
import { openChatConnection, parseJsonBody, type ChatConnection } from '../net/chat-connection.js';
import type { ClientConfig } from '../net/config.js';
import type { SocketOpener } from '../net/socket-opener.js';
import { basicAuthHeader } from '../net/rest.js';
import { toBase64 } from '../signal/bytes.js';
import {
  createLastResortKyberPreKey,
  createPrimaryKeys,
  createSignedPreKey,
  generateOneTimePreKeys,
  PREKEY_BATCH_SIZE,
  setLocalServiceIds,
  type PreKeyUpload,
  type PrimaryKeys,
} from '../signal/keys.js';
import type { SignalProtocolStores } from '../signal/stores/index.js';

const PRIMARY_DEVICE_ID = 1;

export interface RegisterPrimaryOptions {
  readonly config: ClientConfig;
  readonly openSocket: SocketOpener;
  /** The vault's libsignal stores; must not hold an identity yet. */
  readonly stores: SignalProtocolStores;
  /** E.164 phone number, e.g. "+14155550123". */
  readonly number: string;
  /** Token from the captcha step (signalcaptchas.org in production; any non-empty string for the demo). */
  readonly captcha: string;
  /** Asked for the code the user received (demo: "111111"). Called again after a wrong code. */
  readonly getVerificationCode: (attempt: number) => Promise<string>;
  readonly maxCodeAttempts?: number;
  readonly transport?: 'sms' | 'voice';
  /** 32-byte profile key; generated when absent. Its access key enables sealed sender to us. */
  readonly profileKey?: Uint8Array;
  /** Registration-lock token (hex) when re-registering a locked number (from the master key). */
  readonly registrationLock?: string;
  /** "Who can find me by number": everybody (true) or nobody (false, the default). */
  readonly discoverableByPhoneNumber?: boolean;
  /** Registration recovery password (base64, from the master key); random when absent. */
  readonly recoveryPassword?: string;
  /** One-time prekeys per identity to upload. Default 100. */
  readonly oneTimePreKeyCount?: number;
  /**
   * A verification session an earlier attempt already verified (e.g. one refused with 423): reused
   * without a new code while the server still reports it verified; otherwise a new session starts.
   */
  readonly verificationSessionId?: string;
  /** Told the id of the verified session before the account is created (to pass back on a retry). */
  readonly onSessionVerified?: (sessionId: string) => void;
}

export interface RegisteredAccount {
  readonly aci: string;
  /** "PNI:<uuid>". */
  readonly pni: string;
  readonly number: string;
  readonly deviceId: number;
  /** Chat-service password: store it in the vault; with `${aci}.${deviceId}` it is the login. */
  readonly password: string;
  readonly registrationId: number;
  readonly pniRegistrationId: number;
  readonly profileKey: Uint8Array;
}

interface VerificationSession {
  readonly id: string;
  readonly allowedToRequestCode: boolean;
  readonly requestedInformation: readonly string[];
  readonly verified: boolean;
}

function parseSession(value: unknown): VerificationSession {
  if (typeof value !== 'object' || value === null) throw new ProtocolError('Malformed verification session');
  const v = value as Record<string, unknown>;
  if (typeof v.id !== 'string' || typeof v.verified !== 'boolean') {
    throw new ProtocolError('Malformed verification session');
  }
  return {
    id: v.id,
    verified: v.verified,
    allowedToRequestCode: v.allowedToRequestCode === true,
    requestedInformation: Array.isArray(v.requestedInformation)
      ? v.requestedInformation.filter((x): x is string => typeof x === 'string')
      : [],
  };
}

const E164 = /^\+[1-9]\d{6,14}$/;

/** Per-connection helper: JSON request, typed errors on non-2xx. */
async function call(
  connection: ChatConnection,
  verb: string,
  path: string,
  json: unknown,
  headers: readonly string[] = [],
): Promise<unknown> {
  const response = await connection.request({ verb, path, json, headers });
  if (response.status < 200 || response.status > 299) {
    throw new ServerError(`The server answered ${response.status} to ${verb}`, response.status);
  }
  return parseJsonBody(response);
}

function registrationLockError(body: unknown): RegistrationLockedError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const timeRemaining = typeof b.timeRemaining === 'number' && b.timeRemaining >= 0 ? b.timeRemaining : 0;
  const creds = b.svr2Credentials as Record<string, unknown> | undefined;
  const svr2 =
    creds && typeof creds.username === 'string' && typeof creds.password === 'string'
      ? { username: creds.username, password: creds.password }
      : undefined;
  return new RegistrationLockedError(timeRemaining, undefined, svr2);
}

/**
 * Runs the whole flow and returns the new account. Throws ValidationError (bad number), ServerError
 * (non-2xx), VerificationCodeError (wrong code after all attempts), RegistrationLockedError (423),
 * NetworkError / ProtocolError (transport, malformed answers).
 */
export async function registerPrimary(options: RegisterPrimaryOptions): Promise<RegisteredAccount> {
  if (!E164.test(options.number)) throw new ValidationError('The phone number must be in E.164 form (+…).');
  if (options.captcha.length === 0) throw new ValidationError('A captcha token is required.');
  if (options.profileKey && options.profileKey.length !== 32) {
    throw new ValidationError('A profile key has 32 bytes.');
  }
  if (isRegisteredVault(options.stores)) {
    throw new PreconditionError('This vault already belongs to a registered account.');
  }
  const { config, openSocket } = options;
  const endpoint = { endpoint: config.chat, trustRootsPem: config.tlsTrustRootsPem, openSocket };

  const unauthenticated = await openChatConnection({ ...endpoint, keepaliveIntervalMs: 0 });
  let password: Buffer | undefined;
  let accessKey: Uint8Array | undefined;
  let profileKeyBytes: Buffer<ArrayBuffer> | undefined;
  try {
    // 1. Session, captcha, code (or a session an earlier attempt verified).
    let session = await reusableSession(unauthenticated, options.verificationSessionId);
    session ??= parseSession(
      await call(unauthenticated, 'POST', '/v1/verification/session', { number: options.number }),
    );
    const sessionPath = `/v1/verification/session/${encodeURIComponent(session.id)}`;
    const needsCaptcha = !session.allowedToRequestCode || session.requestedInformation.includes('captcha');
    if (!session.verified && needsCaptcha) {
      session = parseSession(await call(unauthenticated, 'PATCH', sessionPath, { captcha: options.captcha }));
      if (!session.allowedToRequestCode) {
        throw new ServerError('The server still does not allow requesting a code', 428);
      }
    }
    if (!session.verified) {
      parseSession(
        await call(unauthenticated, 'POST', `${sessionPath}/code`, {
          transport: options.transport ?? 'sms',
          client: 'desktop',
        }),
      );
    }
    const maxAttempts = options.maxCodeAttempts ?? 3;
    for (let attempt = 1; !session.verified; attempt += 1) {
      if (attempt > maxAttempts) throw new VerificationCodeError();
      const code = (await options.getVerificationCode(attempt)).trim();
      session = parseSession(await call(unauthenticated, 'PUT', `${sessionPath}/code`, { code }));
      if (!session.verified) log.info('account.registration.wrong_code', { attempt });
    }
    options.onSessionVerified?.(session.id);

    // 2. Keys (persisted in the vault before upload).
    const keys = await prepareKeys(options.stores, options.oneTimePreKeyCount);
    profileKeyBytes = options.profileKey ? Buffer.from(options.profileKey) : randomBytes(32);
    accessKey = new ProfileKey(profileKeyBytes).deriveAccessKey();
    password = randomBytes(18);
    const passwordText = password.toString('base64url');
    const recoveryPassword = options.recoveryPassword ?? randomBytes(32).toString('base64');
    const r = keys.registration;

    // 3. Create the account.
    const response = await unauthenticated.request({
      verb: 'POST',
      path: '/v1/registration',
      headers: [`authorization:${basicAuthHeader({ username: options.number, password: passwordText })}`],
      json: {
        sessionId: session.id,
        accountAttributes: {
          fetchesMessages: true,
          registrationId: r.registrationId,
          pniRegistrationId: r.pniRegistrationId,
          capabilities: { attachmentBackfill: false, spqr: true, usernameChangeSyncMessage: true },
          ...(options.registrationLock ? { registrationLock: options.registrationLock } : {}),
          unidentifiedAccessKey: Array.from(accessKey),
          unrestrictedUnidentifiedAccess: false,
          discoverableByPhoneNumber: options.discoverableByPhoneNumber ?? false,
          recoveryPassword,
        },
        skipDeviceTransfer: true,
        aciIdentityKey: r.aciIdentityKey,
        pniIdentityKey: r.pniIdentityKey,
        aciSignedPreKey: r.aciSignedPreKey,
        aciPqLastResortPreKey: r.aciPqLastResortPreKey,
        pniSignedPreKey: r.pniSignedPreKey,
        pniPqLastResortPreKey: r.pniPqLastResortPreKey,
      },
    });
    if (response.status === 423) throw registrationLockError(safeJson(response.body));
    if (response.status < 200 || response.status > 299) {
      throw new ServerError(`The server answered ${response.status} to registration`, response.status);
    }
    const created = parseJsonBody(response) as Record<string, unknown> | undefined;
    const aci = created?.uuid;
    const rawPni = created?.pni;
    if (typeof aci !== 'string' || typeof rawPni !== 'string') {
      throw new ProtocolError('The registration answer lacks the account ids');
    }
    const pni = rawPni.startsWith('PNI:') ? rawPni : `PNI:${rawPni}`;
    setLocalServiceIds(options.stores, aci, pni);
    await unauthenticated.close();

    // 4. One-time prekeys, over an authenticated socket.
    const authenticated = await openChatConnection({
      ...endpoint,
      auth: { username: `${aci}.${PRIMARY_DEVICE_ID}`, password: passwordText },
      keepaliveIntervalMs: 0,
    });
    try {
      await uploadPreKeys(authenticated, 'aci', keys.oneTime.aci);
      await uploadPreKeys(authenticated, 'pni', keys.oneTime.pni);
    } finally {
      await authenticated.close();
    }
    log.info('account.registration.done', { oneTime: keys.oneTime.aci.preKeys.length });
    return {
      aci,
      pni,
      number: options.number,
      deviceId: PRIMARY_DEVICE_ID,
      password: passwordText,
      registrationId: r.registrationId,
      pniRegistrationId: r.pniRegistrationId,
      profileKey: new Uint8Array(profileKeyBytes),
    };
  } catch (error) {
    log.warn('account.registration.failed', errorFields(error));
    throw isCarapaceError(error) ? error : new NetworkError('Registration failed', { cause: error });
  } finally {
    password?.fill(0);
    accessKey?.fill(0);
    profileKeyBytes?.fill(0);
    await unauthenticated.close();
  }
}

/** GET the session when one is given; undefined when absent, unknown or no longer verified. */
async function reusableSession(
  connection: ChatConnection,
  sessionId: string | undefined,
): Promise<VerificationSession | undefined> {
  if (!sessionId) return undefined;
  const response = await connection.request({
    verb: 'GET',
    path: `/v1/verification/session/${encodeURIComponent(sessionId)}`,
  });
  if (response.status !== 200) return undefined;
  const session = parseSession(parseJsonBody(response));
  return session.verified ? session : undefined;
}

function isRegisteredVault(stores: SignalProtocolStores): boolean {
  return (
    (stores.aci.identity.hasLocalIdentity() && stores.aci.identity.localServiceId() !== '') ||
    (stores.pni.identity.hasLocalIdentity() && stores.pni.identity.localServiceId() !== '')
  );
}

/**
 * New identity keys for a first attempt. When an earlier attempt already created identities in this vault
 * but never completed (no service id was stored: e.g. a 423 registration lock, a wrong code, a lost
 * connection), the same identities are reused — with fresh signed, last-resort and one-time prekeys — so
 * the user can simply try again (e.g. with the PIN's registration-lock token).
 */
async function prepareKeys(
  stores: SignalProtocolStores,
  oneTimeCount = PREKEY_BATCH_SIZE,
): Promise<PrimaryKeys> {
  const hasAci = stores.aci.identity.hasLocalIdentity();
  const hasPni = stores.pni.identity.hasLocalIdentity();
  if (!hasAci && !hasPni) return createPrimaryKeys(stores, oneTimeCount);
  if (
    !hasAci ||
    !hasPni ||
    stores.aci.identity.localServiceId() !== '' ||
    stores.pni.identity.localServiceId() !== ''
  ) {
    throw new PreconditionError('This vault already belongs to a registered account.');
  }
  const aciPublic = stores.aci.identity.localKeyPair().publicKey.serialize();
  const pniPublic = stores.pni.identity.localKeyPair().publicKey.serialize();
  return {
    registration: {
      registrationId: await stores.aci.identity.getLocalRegistrationId(),
      pniRegistrationId: await stores.pni.identity.getLocalRegistrationId(),
      aciIdentityKey: toBase64(aciPublic),
      pniIdentityKey: toBase64(pniPublic),
      aciSignedPreKey: createSignedPreKey(stores, 'aci'),
      aciPqLastResortPreKey: createLastResortKyberPreKey(stores, 'aci'),
      pniSignedPreKey: createSignedPreKey(stores, 'pni'),
      pniPqLastResortPreKey: createLastResortKyberPreKey(stores, 'pni'),
    },
    oneTime: {
      aci: generateOneTimePreKeys(stores, 'aci', oneTimeCount),
      pni: generateOneTimePreKeys(stores, 'pni', oneTimeCount),
    },
  };
}

/** `PUT /v2/keys?identity=<kind>` with a body from src/signal/keys.ts. */
async function uploadPreKeys(
  connection: Pick<ChatConnection, 'requestOk'>,
  kind: 'aci' | 'pni',
  upload: PreKeyUpload,
): Promise<void> {
  await connection.requestOk({ verb: 'PUT', path: `/v2/keys?identity=${kind}`, json: upload });
}

function safeJson(body: Uint8Array | undefined): unknown {
  if (!body) return undefined;
  try {
    return JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

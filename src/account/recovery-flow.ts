/**
 * The Signal PIN, registration lock and recovery wired to the live chat service (demo network over TLS):
 *
 * Setup, after registration — `enablePinAndRegistrationLock`: strong-PIN policy → PinHash → wrapped
 * master key into the key backup (10 tries) → PUT /v1/accounts/registration_lock with the token → the
 * encrypted account data to the storage service (when the caller passes `accountData`).
 *
 * Fresh install — `registerWithRecovery`: registerPrimary → 423 RegistrationLockedError (SVR credentials)
 * → ask for the PIN → key backup (WrongPinError with tries left, KeyBackupUnavailableError when deleted)
 * → master key → download + decrypt account data, identity keys into the new vault → registerPrimary
 * again with the registration-lock token and recovery password → contacts, blocked list, settings
 * restored; PIN and lock state recorded locally.
 *
 * All requests go over the chat WebSocket (as @signalapp/mock-server 27 and Signal's chat server serve
 * the chat API). No PIN, token or key is logged; keys are zeroed after use.
 */
import {
  KeyBackupUnavailableError,
  NotAvailableError,
  RegistrationLockedError,
  ValidationError,
  WrongPinError,
} from '../errors.js';
import { log } from '../log.js';
import type { MessageStore } from '../messaging/store.js';
import { openChatConnection, type ChatConnection } from '../net/chat-connection.js';
import { capabilitiesOf, type ClientConfig } from '../net/config.js';
import type { SocketOpener } from '../net/socket-opener.js';
import type { SettingsStore } from '../settings/store.js';
import type { AccountData } from './account-data.js';
import {
  downloadAccountData,
  restoreAccountData,
  restoreIdentityKeys,
  uploadAccountData,
} from './account-backup.js';
import type { AccountKv } from './account-kv.js';
import {
  keyBackupClientFor,
  requirePinBackup,
  requireRegistrationLock,
  type JsonSend,
} from './key-backup-client.js';
import { deriveRecoveryPassword, deriveRegistrationLockToken, deriveStorageKey } from './master-key.js';
import { checkPin, type PinCheck } from './pin-policy.js';
import { PinService, recoverMasterKey } from './pin-service.js';
import { registerPrimary, type RegisteredAccount, type RegisterPrimaryOptions } from './registration.js';

/** The account's chat login (`aci.deviceId` : password). */
export interface AccountLogin {
  readonly aci: string;
  readonly deviceId: number;
  readonly password: string;
}

interface Endpoint {
  readonly config: ClientConfig;
  readonly openSocket: SocketOpener;
}

interface AccountEndpoint extends Endpoint {
  readonly login: AccountLogin;
  /**
   * The running messaging client's authenticated socket, when one runs: the server keeps one socket per
   * device, so a second one would displace the client's. Without it a socket is opened for the call.
   */
  readonly send?: JsonSend;
}

/** A JsonSend over a chat connection (requests over the WebSocket). */
export function chatJsonSend(connection: Pick<ChatConnection, 'request'>): JsonSend {
  return async (request) => {
    const response = await connection.request({
      verb: request.method,
      path: request.path,
      headers: Object.entries(request.headers).map(([name, value]) => `${name}:${value}`),
      ...(request.body !== undefined ? { json: request.body } : {}),
    });
    let json: unknown;
    if (response.body && response.body.length > 0) {
      try {
        json = JSON.parse(Buffer.from(response.body).toString('utf8')) as unknown;
      } catch {
        json = undefined;
      }
    }
    return { status: response.status, json };
  };
}

async function withConnection<T>(
  endpoint: Endpoint,
  login: AccountLogin | undefined,
  fn: (send: JsonSend) => Promise<T>,
): Promise<T> {
  const connection = await openChatConnection({
    endpoint: endpoint.config.chat,
    trustRootsPem: endpoint.config.tlsTrustRootsPem,
    openSocket: endpoint.openSocket,
    keepaliveIntervalMs: 0,
    ...(login ? { auth: { username: `${login.aci}.${login.deviceId}`, password: login.password } } : {}),
  });
  try {
    return await fn(chatJsonSend(connection));
  } finally {
    await connection.close();
  }
}

/** Over the client's socket when given one, else over a socket of its own for this call. */
function withAccountSend<T>(endpoint: AccountEndpoint, fn: (send: JsonSend) => Promise<T>): Promise<T> {
  return endpoint.send ? fn(endpoint.send) : withConnection(endpoint, endpoint.login, fn);
}

export interface EnablePinOptions extends AccountEndpoint {
  /** The vault's account_kv (master key, PIN reminder hash, lock flag). */
  readonly kv: AccountKv;
  readonly pin: string;
  /** The user confirmed the warning for a weak (< 50 bits) PIN. Refused PINs always throw. */
  readonly acceptWeak?: boolean;
  /** Turn registration lock on (default true). */
  readonly registrationLock?: boolean;
  /** Account data to back up at once (see collectAccountData); skipped when absent. */
  readonly accountData?: AccountData;
  readonly now?: () => number;
}

/**
 * `pin.set` (+ `registrationLock.set`): set the PIN under the strong-PIN policy (WeakPinError), upload
 * the wrapped master key, turn registration lock on, and back up the account data when given.
 */
export async function enablePinAndRegistrationLock(options: EnablePinOptions): Promise<PinCheck> {
  requirePinBackup(options.config);
  return withAccountSend(options, async (send) => {
    const client = keyBackupClientFor(options.config, send);
    const service = new PinService(options.kv, client, client, options.now ? { now: options.now } : {});
    const check = await service.setPin(options.pin, options.acceptWeak ? { acceptWeak: true } : {});
    if (options.registrationLock ?? true) await service.setRegistrationLock(true);
    if (options.accountData) await uploadWithService(send, service, options.accountData);
    return check;
  });
}

/** `registrationLock.set`: turn the lock on or off (needs a PIN for on). */
export async function setRegistrationLock(
  options: AccountEndpoint & { kv: AccountKv; enabled: boolean },
): Promise<void> {
  requireRegistrationLock(options.config);
  await withAccountSend(options, async (send) => {
    const client = keyBackupClientFor(options.config, send);
    await new PinService(options.kv, client, client).setRegistrationLock(options.enabled);
  });
}

async function uploadWithService(send: JsonSend, service: PinService, data: AccountData): Promise<number> {
  const storageKey = service.storageKey();
  try {
    return await uploadAccountData(send, storageKey, data);
  } finally {
    storageKey.fill(0);
  }
}

export interface PinPrompt {
  /** 1 for the first ask. */
  readonly attempt: number;
  /** Tries the key backup has left after the last wrong PIN (undefined before the first try). */
  readonly triesRemaining?: number;
  /** When the lock expires through inactivity of the old device (ms). */
  readonly timeRemainingMs: number;
}

export interface RecoveryRegistrationOptions extends RegisterPrimaryOptions {
  readonly kv: AccountKv;
  /** Asked on a registration lock; return null to give up (the RegistrationLockedError is rethrown). */
  readonly askPin: (prompt: PinPrompt) => Promise<string | null>;
  readonly settings?: SettingsStore;
  readonly messages?: MessageStore;
}

export interface RecoveryRegistrationResult {
  readonly account: RegisteredAccount;
  /** The number was registration-locked and the PIN unlocked it. */
  readonly recovered: boolean;
  /** The account data (identity, contacts, settings) was found and restored. */
  readonly accountData?: AccountData;
}

/**
 * Registration on a fresh install with PIN recovery. Throws WrongPinError only if `askPin` gives up after
 * wrong tries (it returns null → RegistrationLockedError), KeyBackupUnavailableError when the backup is
 * gone (10 wrong PINs: then only waiting out `timeRemainingMs` helps), plus registerPrimary's errors.
 */
export async function registerWithRecovery(
  options: RecoveryRegistrationOptions,
): Promise<RecoveryRegistrationResult> {
  let locked: RegistrationLockedError;
  let verifiedSession: string | undefined;
  try {
    const account = await registerPrimary({
      ...options,
      onSessionVerified: (id) => {
        verifiedSession = id;
        options.onSessionVerified?.(id);
      },
    });
    return { account, recovered: false };
  } catch (error) {
    if (!(error instanceof RegistrationLockedError) || !error.svr2Credentials) throw error;
    locked = error;
  }
  const credentials = locked.svr2Credentials!;
  log.info('account.recovery.locked');
  if (!capabilitiesOf(options.config).pinBackup) {
    // Never a PIN prompt whose answer would have nowhere safe to go.
    throw new NotAvailableError(
      'This number has a registration lock, and recovery with the PIN is not available in this build.',
    );
  }
  const endpoint = { config: options.config, openSocket: options.openSocket };

  const unlocked = await withConnection(endpoint, undefined, async (send) => {
    const client = keyBackupClientFor(options.config, send);
    let triesRemaining: number | undefined;
    for (let attempt = 1; ; attempt += 1) {
      const pin = await options.askPin({
        attempt,
        timeRemainingMs: locked.timeRemainingMs,
        ...(triesRemaining !== undefined ? { triesRemaining } : {}),
      });
      if (pin === null) throw locked;
      try {
        const masterKey = await recoverMasterKey(pin, credentials, client);
        const storageKey = deriveStorageKey(masterKey);
        try {
          const data = await downloadAccountData(send, storageKey, credentials);
          return { pin, masterKey, data };
        } finally {
          storageKey.fill(0);
        }
      } catch (error) {
        if (error instanceof WrongPinError) {
          triesRemaining = error.triesRemaining;
          log.info('account.recovery.wrong_pin', { triesRemaining });
          continue;
        }
        if (error instanceof KeyBackupUnavailableError) log.warn('account.recovery.backup_unavailable');
        throw error;
      }
    }
  });

  const { masterKey, data, pin } = unlocked;
  let account: RegisteredAccount;
  try {
    if (data) await restoreIdentityKeys(options.stores, data);
    const pinService = new PinService(
      options.kv,
      keyBackupClientFor(options.config, () => unreachable()),
    );
    pinService.adoptMasterKey(masterKey);
    account = await registerPrimary({
      ...options,
      registrationLock: deriveRegistrationLockToken(masterKey),
      recoveryPassword: deriveRecoveryPassword(masterKey),
      // The number was verified moments ago: no second code.
      ...(verifiedSession ? { verificationSessionId: verifiedSession } : {}),
    });
  } finally {
    masterKey.fill(0);
  }
  if (data) {
    restoreAccountData(data, {
      stores: options.stores,
      ...(options.settings ? { settings: options.settings } : {}),
      ...(options.messages ? { messages: options.messages } : {}),
    });
  }
  // The PIN is known again: local reminder hash, and the lock re-asserted from the new device.
  const check = checkPin(pin);
  await withConnection(endpoint, account, async (send) => {
    const client = keyBackupClientFor(options.config, send);
    const service = new PinService(options.kv, client, client);
    service.reminders.setPin(pin, check.bits);
    await service.setRegistrationLock(true);
  });
  log.info('account.recovery.done', { accountData: data !== undefined });
  return { account, recovered: true, ...(data ? { accountData: data } : {}) };
}

function unreachable(): never {
  throw new ValidationError('No key-backup requests are made here.');
}

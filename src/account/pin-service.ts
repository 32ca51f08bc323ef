/**
 * The Signal PIN feature, put together: master key, strong-PIN policy, the PIN-protected key backup,
 * registration lock and reminders. Network calls go through injected clients (implemented over src/net
 * for real, or in-process for tests), so this module stays free of sockets.
 *
 * Set a PIN:   policy check → PinHash(pin, svrUsername, enclave) → wrap master key under the encryption
 *              key → store { accessKey, wrapped } in the backup (max 10 tries) → local hash for reminders.
 * Recover:     PinHash with the credentials from the 423 response → restore with the access key →
 *              unwrap (verifies) → master key → registration-lock token, storage key → account data.
 */
import { z } from 'zod';
import {
  KeyBackupUnavailableError,
  PreconditionError,
  ProtocolError,
  type RegistrationLockedError,
  ValidationError,
  WeakPinError,
  WrongPinError,
} from '../errors.js';
import { log } from '../log.js';
import type { AccountKv } from './account-kv.js';
import {
  deriveRegistrationLockToken,
  deriveStorageKey,
  generateAccountEntropyPool,
  masterKeyFromEntropyPool,
  unwrapMasterKey,
  wrapMasterKey,
} from './master-key.js';
import { hashPinForSvr, wipePinKeys } from './pin.js';
import { checkPin, type PinCheck } from './pin-policy.js';
import { PinReminder, type PinReminderStatus } from './pin-reminder.js';

export interface SvrCredentials {
  readonly username: string;
  readonly password: string;
}

/** The key-backup service as the client sees it (demo: src/demo/svr routes, see key-backup-client.ts). */
export interface KeyBackupClient {
  /** The enclave whose identity salts the PIN hash: part of the transport, so hash and service match. */
  readonly enclaveId: Uint8Array<ArrayBuffer>;
  /** Fresh SVR credentials for the registered account (GET /v2/backup/auth). */
  credentials(): Promise<SvrCredentials>;
  backup(credentials: SvrCredentials, accessKey: Uint8Array, wrappedMasterKey: Uint8Array): Promise<void>;
  /**
   * Fetch the wrapped master key. Throws WrongPinError(triesRemaining) on a wrong access key and
   * KeyBackupUnavailableError when the backup is missing or was deleted after too many tries.
   */
  restore(credentials: SvrCredentials, accessKey: Uint8Array): Promise<{ wrappedMasterKey: Uint8Array }>;
  delete(credentials: SvrCredentials): Promise<void>;
}

/** The server side of registration lock (PUT/DELETE /v1/accounts/registration_lock). */
export interface RegistrationLockClient {
  enable(token: string): Promise<void>;
  disable(): Promise<void>;
}

const MASTER_KEY = 'account.masterKey';
const REGISTRATION_LOCK = 'account.registrationLock';

export interface PinServiceStatus extends PinReminderStatus {
  readonly registrationLock: boolean;
  readonly hasMasterKey: boolean;
}

/** What the hardening audit needs to know about the account, read from the vault (no network). */
export function readAccountSecurityFacts(kv: AccountKv): {
  pinSet: boolean;
  pinStrengthBits?: number;
  registrationLock: boolean;
} {
  const reminder = new PinReminder(kv).status();
  return {
    pinSet: reminder.pinSet,
    ...(reminder.strengthBits !== undefined ? { pinStrengthBits: reminder.strengthBits } : {}),
    registrationLock: kv.getJson(REGISTRATION_LOCK, z.boolean()) ?? false,
  };
}

export class PinService {
  readonly reminders: PinReminder;

  constructor(
    private readonly kv: AccountKv,
    private readonly backupClient: KeyBackupClient,
    private readonly lockClient?: RegistrationLockClient,
    options: { now?: () => number } = {},
  ) {
    this.reminders = new PinReminder(kv, options.now ? { now: options.now } : {});
  }

  status(): PinServiceStatus {
    return {
      ...this.reminders.status(),
      registrationLock: this.kv.getJson(REGISTRATION_LOCK, z.boolean()) ?? false,
      hasMasterKey: this.kv.getBlob(MASTER_KEY) !== undefined,
    };
  }

  /** The master key, created from a new Account Entropy Pool on first use. Caller zeroes the copy. */
  masterKey(): Buffer {
    const stored = this.kv.getBlob(MASTER_KEY);
    if (stored) return stored;
    const created = masterKeyFromEntropyPool(generateAccountEntropyPool());
    this.kv.setBlob(MASTER_KEY, created);
    log.info('account.master_key_created');
    return created;
  }

  /** Adopt a master key recovered with the PIN (fresh install). */
  adoptMasterKey(masterKey: Uint8Array): void {
    if (masterKey.length !== 32) throw new ValidationError('The master key must be 32 bytes.');
    this.kv.setBlob(MASTER_KEY, masterKey);
  }

  /** The registration-lock token for the stored master key. */
  registrationLockToken(): string {
    const key = this.masterKey();
    try {
      return deriveRegistrationLockToken(key);
    } finally {
      key.fill(0);
    }
  }

  /** The storage-service key for account data. Caller zeroes it. */
  storageKey(): Buffer {
    const key = this.masterKey();
    try {
      return deriveStorageKey(key);
    } finally {
      key.fill(0);
    }
  }

  /**
   * Set or change the PIN. Refused PINs throw WeakPinError; weak ones (below 50 bits) also throw unless
   * the user confirmed the brute-force warning (`acceptWeak`). Returns the policy verdict.
   */
  async setPin(pin: string, options: { acceptWeak?: boolean } = {}): Promise<PinCheck> {
    const check = checkPin(pin);
    if (check.verdict === 'refused') throw new WeakPinError(check.reasons.join(' '));
    if (check.verdict === 'weak-needs-confirmation' && !options.acceptWeak) {
      throw new WeakPinError(check.reasons.join(' '));
    }
    const credentials = await this.backupClient.credentials();
    const keys = hashPinForSvr(pin, credentials.username, this.backupClient.enclaveId);
    const masterKey = this.masterKey();
    const wrapped = wrapMasterKey(keys.encryptionKey, masterKey);
    masterKey.fill(0);
    try {
      await this.backupClient.backup(credentials, keys.accessKey, wrapped);
    } finally {
      wipePinKeys(keys);
      wrapped.fill(0);
    }
    this.reminders.setPin(pin, check.bits);
    log.info('pin.set', { verdict: check.verdict, bits: Math.round(check.bits) });
    return check;
  }

  /** Disable the PIN: delete the backup, forget the local hash, turn registration lock off. */
  async removePin(): Promise<void> {
    if (this.status().registrationLock) await this.setRegistrationLock(false);
    const credentials = await this.backupClient.credentials();
    await this.backupClient.delete(credentials);
    this.reminders.clearPin();
    log.info('pin.removed');
  }

  /** Registration lock needs a PIN (that is how a new device proves knowledge of it). */
  async setRegistrationLock(enabled: boolean): Promise<void> {
    if (enabled && !this.reminders.status().pinSet) {
      throw new PreconditionError('Set a PIN before turning on registration lock.');
    }
    if (this.lockClient) {
      if (enabled) await this.lockClient.enable(this.registrationLockToken());
      else await this.lockClient.disable();
    }
    this.kv.setJson(REGISTRATION_LOCK, enabled);
    log.info('account.registration_lock_set', { enabled });
  }
}

/**
 * Recovery on a fresh install: with the SVR credentials from the 423 response (or from
 * GET /v2/backup/auth), turn the PIN into the master key. Throws WrongPinError (with the tries left) or
 * KeyBackupUnavailableError. The caller zeroes the returned key after adopting it.
 */
export async function recoverMasterKey(
  pin: string,
  credentials: SvrCredentials,
  client: KeyBackupClient,
): Promise<Buffer> {
  const keys = hashPinForSvr(pin, credentials.username, client.enclaveId);
  try {
    const { wrappedMasterKey } = await client.restore(credentials, keys.accessKey);
    return unwrapMasterKey(keys.encryptionKey, wrappedMasterKey);
  } catch (error) {
    if (error instanceof WrongPinError || error instanceof KeyBackupUnavailableError) {
      log.warn('pin.recovery_failed', { errorCode: error.code });
    }
    throw error;
  } finally {
    wipePinKeys(keys);
  }
}

/**
 * After registration answered 423 (RegistrationLockedError from src/account/registration.ts): recover
 * the master key with the PIN through the SVR credentials in that answer, and return the token to retry
 * the registration with (`registrationLock`). The caller adopts and then zeroes the master key.
 */
export async function unlockRegistrationWithPin(
  error: RegistrationLockedError,
  pin: string,
  client: KeyBackupClient,
): Promise<{ masterKey: Buffer; registrationLockToken: string }> {
  if (!error.svr2Credentials) {
    throw new ProtocolError('The server did not send key-backup credentials with the registration lock.');
  }
  const masterKey = await recoverMasterKey(pin, error.svr2Credentials, client);
  return { masterKey, registrationLockToken: deriveRegistrationLockToken(masterKey) };
}

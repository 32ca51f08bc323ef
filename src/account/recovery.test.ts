/**
 * The PIN feature end to end, in process: PinService on a real SQLCipher profile, the demo key backup and
 * registration lock (src/demo/svr) reached through their JSON routes, real libsignal PIN hashing, and a
 * recovery on a fresh profile that restores account data and the identity key (same safety number).
 * (The storage service is a Map here: uploading blobs is the transport's job; the crypto is what we test.)
 */
import { readFileSync } from 'node:fs';
import { Fingerprint, IdentityKeyPair } from '@signalapp/libsignal-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  KeyBackupUnavailableError,
  RegistrationLockedError,
  PreconditionError,
  ProtocolError,
  WeakPinError,
  WrongPinError,
} from '../errors.js';
import { setLogSink } from '../log.js';
import { DEFAULT_SETTINGS } from '../settings/schema.js';
import { createTestDb, type TestDb } from '../test-support/db.js';
import { DemoSvr } from '../demo/svr/handler.js';
import { localSend } from '../demo/test-support/svr-local-send.js';
import { decryptAccountData, encryptAccountData, type AccountData } from './account-data.js';
import { AccountKv } from './account-kv.js';
import { createKeyBackupClient, parseRegistrationLockedBody } from './key-backup-client.js';
import { deriveRegistrationLockToken, deriveStorageKey } from './master-key.js';
import { generateStrongPin } from './pin-policy.js';
import { PinService, recoverMasterKey, unlockRegistrationWithPin } from './pin-service.js';

const DAY = 24 * 3_600_000;
const E164 = '+15550100200';
const ALICE_ACI = '0d5a3e36-5f0c-4a8b-9a43-1d2b3c4d5e6f';
const BOB_ACI = '8c78cd2a-16ff-427d-83dc-1a5e36ce713d';

function uuidBytes(uuid: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(uuid.replace(/-/g, ''), 'hex'));
}

function safetyNumber(local: IdentityKeyPair, remote: IdentityKeyPair): string {
  return Fingerprint.new(5200, 2, uuidBytes(ALICE_ACI), local.publicKey, uuidBytes(BOB_ACI), remote.publicKey)
    .displayableFingerprint()
    .toString();
}

describe('Signal PIN: set, registration lock, recovery on a fresh profile', () => {
  let now: number;
  let svr: DemoSvr;
  let oldProfile: TestDb;
  let newProfile: TestDb;
  const logs: string[] = [];

  beforeEach(() => {
    now = Date.UTC(2026, 2, 1);
    svr = new DemoSvr({
      now: () => now,
      authenticate: (headers) =>
        headers.authorization === 'Basic alice-device-1' ? { aci: ALICE_ACI, e164: E164 } : undefined,
    });
    svr.registrationLock.recordRegistration(E164, ALICE_ACI);
    oldProfile = createTestDb();
    newProfile = createTestDb();
    logs.length = 0;
    setLogSink((level, event, fields) => logs.push(JSON.stringify({ level, event, ...fields })), 'debug');
  });
  afterEach(() => {
    setLogSink(undefined, 'warn');
    oldProfile.dispose();
    newProfile.dispose();
  });

  function clientFor() {
    return createKeyBackupClient(localSend(svr), () => ({ authorization: 'Basic alice-device-1' }));
  }

  it('recovers account data and identity with the PIN; no PIN or key in logs or on disk', async () => {
    const client = clientFor();
    const service = new PinService(new AccountKv(oldProfile.db), client, client, { now: () => now });

    // Policy first: weak PINs are refused or need confirmation.
    await expect(service.setPin('1234')).rejects.toThrow(WeakPinError);
    await expect(service.setPin('739251')).rejects.toThrow(WeakPinError);
    await expect(service.setRegistrationLock(true)).rejects.toThrow(PreconditionError);

    const pin = generateStrongPin();
    const check = await service.setPin(pin);
    expect(check.verdict).toBe('ok');
    await service.setRegistrationLock(true);
    expect(service.status()).toMatchObject({ pinSet: true, registrationLock: true, hasMasterKey: true });

    // Account data, encrypted for the storage service.
    const identity = IdentityKeyPair.generate();
    const bob = IdentityKeyPair.generate();
    const data: AccountData = {
      version: 1,
      profile: { givenName: 'Alice' },
      settings: { ...DEFAULT_SETTINGS, disappearingDefaultSeconds: 604_800 },
      contacts: [
        {
          serviceId: BOB_ACI,
          name: 'Bob',
          identityKey: Buffer.from(bob.publicKey.serialize()).toString('base64'),
        },
      ],
      blocked: [],
      identity: { aciIdentityKeyPair: Buffer.from(identity.serialize()).toString('base64') },
    };
    const storageKey = service.storageKey();
    const storage = new Map<string, Buffer>([['account', encryptAccountData(storageKey, data)]]);
    storageKey.fill(0);
    const numberBefore = safetyNumber(identity, bob);
    const masterKey = service.masterKey();
    const token = deriveRegistrationLockToken(masterKey);
    masterKey.fill(0);

    // Fresh install, two days later: registering the number without the token is refused with 423.
    now += 2 * DAY;
    const refused = svr.checkRegistration(E164, undefined);
    expect(refused?.status).toBe(423);
    const body = parseRegistrationLockedBody(refused?.json);
    expect(body.timeRemaining).toBe(5 * DAY);

    // Wrong PIN: counted.
    await expect(recoverMasterKey('Wrong-Pin-0000-xyz', body.svr2Credentials, client)).rejects.toThrow(
      WrongPinError,
    );
    // The registration client surfaces the 423 as RegistrationLockedError carrying the credentials.
    const lockedError = new RegistrationLockedError(body.timeRemaining, undefined, body.svr2Credentials);
    const unlocked = await unlockRegistrationWithPin(lockedError, pin, client);
    expect(unlocked.registrationLockToken).toBe(token);
    unlocked.masterKey.fill(0);
    await expect(unlockRegistrationWithPin(new RegistrationLockedError(1000), pin, client)).rejects.toThrow(
      ProtocolError,
    );
    const recovered = await recoverMasterKey(`  ${pin} `, body.svr2Credentials, client);
    const freshService = new PinService(new AccountKv(newProfile.db), client, client, { now: () => now });
    freshService.adoptMasterKey(recovered);
    const recoveredToken = deriveRegistrationLockToken(recovered);
    expect(recoveredToken).toBe(token);
    expect(svr.checkRegistration(E164, recoveredToken)).toBeUndefined();
    svr.recordRegistration(E164, ALICE_ACI, recoveredToken);
    expect(svr.registrationLock.isLocked(E164)).toBe(true); // the lock survives a registration with the token

    const restoredKey = deriveStorageKey(recovered);
    recovered.fill(0);
    const restored = decryptAccountData(restoredKey, storage.get('account')!);
    restoredKey.fill(0);
    expect(restored).toEqual(data);
    const restoredIdentity = IdentityKeyPair.deserialize(
      new Uint8Array(Buffer.from(restored.identity!.aciIdentityKeyPair, 'base64')),
    );
    expect(safetyNumber(restoredIdentity, bob)).toBe(numberBefore);
    freshService.reminders.setPin(pin, check.bits);

    // Nothing secret in the logs.
    const logText = logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [pin, token, E164]) expect(logText).not.toContain(secret);
    // Nor in either profile's DB file in plaintext.
    const mk = freshService.masterKey();
    oldProfile.close();
    newProfile.close();
    for (const file of [oldProfile.path, newProfile.path]) {
      const bytes = readFileSync(file);
      expect(bytes.includes(Buffer.from(pin))).toBe(false);
      expect(bytes.includes(Buffer.from(token))).toBe(false);
      expect(bytes.includes(mk)).toBe(false);
      expect(bytes.includes(Buffer.from('Alice'))).toBe(false);
    }
    mk.fill(0);
  }, 60_000);

  it('counts wrong PINs: after 10 the backup is deleted and the 11th try fails with "backup deleted"', async () => {
    const client = clientFor();
    const service = new PinService(new AccountKv(oldProfile.db), client, client, { now: () => now });
    const pin = generateStrongPin();
    await service.setPin(pin);
    const credentials = await client.credentials();
    // Hash a wrong PIN once (argon2id is slow on purpose) and replay its access key 10 times.
    const wrongTries: number[] = [];
    for (let i = 0; i < 9; i++) {
      try {
        await client.restore(credentials, Buffer.alloc(32, i + 1));
      } catch (error) {
        expect(error).toBeInstanceOf(WrongPinError);
        wrongTries.push((error as WrongPinError).triesRemaining);
      }
    }
    expect(wrongTries).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    await expect(recoverMasterKey('Wrong-Pin-0000-xyz', credentials, client)).rejects.toThrow(
      KeyBackupUnavailableError,
    );
    // 11th: even the right PIN cannot bring it back.
    const eleventh = recoverMasterKey(pin, credentials, client);
    await expect(eleventh).rejects.toThrow(KeyBackupUnavailableError);
    await expect(eleventh).rejects.toMatchObject({ reason: 'deleted' });
  }, 60_000);

  it('registration without the token is refused while active and allowed after 7 inactive days', async () => {
    const client = clientFor();
    const service = new PinService(new AccountKv(oldProfile.db), client, client, { now: () => now });
    await service.setPin(generateStrongPin());
    await service.setRegistrationLock(true);
    now += 6 * DAY;
    expect(svr.checkRegistration(E164, undefined)?.status).toBe(423);
    now += DAY;
    expect(svr.checkRegistration(E164, undefined)).toBeUndefined();
    svr.recordRegistration(E164, 'new-aci', undefined);
    expect(svr.registrationLock.isLocked(E164)).toBe(false); // the old lock is gone with the old account
    // Turning the lock off on the server clears it too.
    await service.setRegistrationLock(false);
    expect(service.status().registrationLock).toBe(false);
  }, 60_000);
});

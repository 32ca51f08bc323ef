import { createHmac, randomBytes } from 'node:crypto';
import { AccountEntropyPool, SvrKey } from '@signalapp/libsignal-client/dist/AccountKeys.js';
import { describe, expect, it } from 'vitest';
import { DecryptionError, ValidationError, WrongPinError } from '../errors.js';
import { DEFAULT_SETTINGS } from '../settings/schema.js';
import { decryptAccountData, encryptAccountData, type AccountData } from './account-data.js';
import {
  deriveRecoveryPassword,
  deriveRegistrationLockToken,
  deriveStorageKey,
  generateAccountEntropyPool,
  masterKeyFromEntropyPool,
  unwrapMasterKey,
  wrapMasterKey,
} from './master-key.js';

const hmac = (key: Uint8Array, data: string | Uint8Array) => createHmac('sha256', key).update(data).digest();

describe('master key', () => {
  it('comes from a fresh Account Entropy Pool via libsignal', () => {
    const pool = generateAccountEntropyPool();
    expect(pool).toMatch(/^[a-z0-9]{64}$/);
    const key = masterKeyFromEntropyPool(pool);
    expect(key).toHaveLength(32);
    expect(key.equals(Buffer.from(AccountEntropyPool.deriveSvrKey(pool)))).toBe(true);
    expect(masterKeyFromEntropyPool(generateAccountEntropyPool()).equals(key)).toBe(false);
    expect(() => masterKeyFromEntropyPool('too short')).toThrow(ValidationError);
  });

  it('wraps with HMAC-SHA256-SIV and unwraps; matches an independent computation', () => {
    const k = randomBytes(32);
    const m = randomBytes(32);
    const wrapped = wrapMasterKey(k, m);
    expect(wrapped).toHaveLength(48);
    // Independent: Ka = HMAC(K,"auth"), Ke = HMAC(K,"enc"), IV = HMAC(Ka,M)[0..16], C = HMAC(Ke,IV) XOR M.
    const iv = hmac(hmac(k, 'auth'), m).subarray(0, 16);
    const stream = hmac(hmac(k, 'enc'), iv);
    const c = Buffer.from(m.map((byte, i) => byte ^ stream[i]!));
    expect(wrapped.equals(Buffer.concat([iv, c]))).toBe(true);
    expect(wrapMasterKey(k, m).equals(wrapped)).toBe(true); // deterministic (SIV)
    expect(unwrapMasterKey(k, wrapped).equals(m)).toBe(true);
    expect(wrapped.includes(m)).toBe(false);
  });

  it('rejects a wrong key or a tampered blob with WrongPinError', () => {
    const k = randomBytes(32);
    const m = randomBytes(32);
    const wrapped = wrapMasterKey(k, m);
    expect(() => unwrapMasterKey(randomBytes(32), wrapped, 7)).toThrow(WrongPinError);
    try {
      unwrapMasterKey(randomBytes(32), wrapped, 7);
    } catch (error) {
      expect((error as WrongPinError).triesRemaining).toBe(7);
    }
    for (const index of [0, 15, 16, 47]) {
      const tampered = Buffer.from(wrapped);
      tampered[index]! ^= 0x01;
      expect(() => unwrapMasterKey(k, tampered)).toThrow(WrongPinError);
    }
    expect(() => unwrapMasterKey(k, wrapped.subarray(0, 40))).toThrow(ValidationError);
    expect(() => wrapMasterKey(k, randomBytes(16))).toThrow(ValidationError);
  });

  it('derivations equal independently computed HMACs and libsignal SvrKey', () => {
    const m = masterKeyFromEntropyPool(generateAccountEntropyPool());
    const svr = new SvrKey(new Uint8Array(m));
    const token = deriveRegistrationLockToken(m);
    expect(token).toBe(hmac(m, 'Registration Lock').toString('hex'));
    expect(token).toBe(Buffer.from(svr.deriveRegistrationLock()).toString('hex'));
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const recovery = deriveRecoveryPassword(m);
    expect(recovery).toBe(hmac(m, 'Registration Recovery').toString('base64'));
    expect(recovery).toBe(Buffer.from(svr.deriveRegistrationRecoveryPassword()).toString('base64'));
    const storage = deriveStorageKey(m);
    expect(storage.equals(hmac(m, 'Storage Service Encryption'))).toBe(true);
    expect(storage.equals(Buffer.from(svr.deriveStorageServiceKey()))).toBe(true);
  });
});

describe('account data encryption', () => {
  const data: AccountData = {
    version: 1,
    profile: { givenName: 'Alice', about: 'Marker-Profile-About-51c2' },
    settings: { ...DEFAULT_SETTINGS, disappearingDefaultSeconds: 604_800 },
    contacts: [{ serviceId: '8c78cd2a-16ff-427d-83dc-1a5e36ce713d', name: 'Bob', verified: true }],
    blocked: ['2f0a8b1c-0000-4000-8000-000000000001'],
    identity: { aciIdentityKeyPair: Buffer.from(randomBytes(65)).toString('base64') },
  };

  it('round-trips under the storage key and hides the plaintext', () => {
    const storageKey = randomBytes(32);
    const blob = encryptAccountData(storageKey, data);
    expect(blob.includes(Buffer.from('Marker-Profile-About-51c2'))).toBe(false);
    expect(decryptAccountData(storageKey, blob)).toEqual(data);
    // Fresh nonce each time.
    expect(encryptAccountData(storageKey, data).equals(blob)).toBe(false);
  });

  it('rejects tampering, a wrong key and truncation with DecryptionError', () => {
    const storageKey = randomBytes(32);
    const blob = encryptAccountData(storageKey, data);
    for (const index of [0, 5, 20, blob.length - 1]) {
      const tampered = Buffer.from(blob);
      tampered[index]! ^= 0x80;
      expect(() => decryptAccountData(storageKey, tampered)).toThrow(DecryptionError);
    }
    expect(() => decryptAccountData(randomBytes(32), blob)).toThrow(DecryptionError);
    expect(() => decryptAccountData(storageKey, blob.subarray(0, 20))).toThrow(DecryptionError);
  });

  it('never carries messages: unknown fields are refused', () => {
    const withMessages = { ...data, messages: [{ body: 'hello' }] } as unknown as AccountData;
    expect(() => encryptAccountData(randomBytes(32), withMessages)).toThrow(ValidationError);
  });
});

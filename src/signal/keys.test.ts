import { join } from 'node:path';
import { KEMPublicKey, PublicKey } from '@signalapp/libsignal-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PreconditionError, ProtocolError, ValidationError, VaultLockedError } from '../errors.js';
import { fromBase64 } from './bytes.js';
import {
  createPrimaryKeys,
  generateOneTimePreKeys,
  needsOneTimePreKeys,
  replenishPreKeys,
  setLocalServiceIds,
  SIGNED_PREKEY_ROTATION_MS,
} from './keys.js';
import { SignalProtocolStores } from './stores/index.js';
import { openTestDb } from '../test-support/db.js';
import { createTestDir, type TestDir } from '../test-support/files.js';
import type { SqlDatabase } from '../vault/sql.js';

let dir: TestDir;
let db: SqlDatabase;
let stores: SignalProtocolStores;

beforeEach(() => {
  dir = createTestDir();
  db = openTestDb(join(dir.path, 'vault.db'));
  stores = new SignalProtocolStores(db);
});

afterEach(() => {
  if (db.open) db.close();
  dir.dispose();
});

describe('createPrimaryKeys', () => {
  it('creates ACI and PNI identities with signed, last-resort and one-time keys, all persisted and signed', async () => {
    const keys = createPrimaryKeys(stores, 5);
    const { registration } = keys;
    expect(registration.registrationId).toBeGreaterThan(0);
    expect(registration.registrationId).toBeLessThan(0x4000);
    expect(registration.pniRegistrationId).not.toBe(registration.registrationId);

    const aciIdentity = PublicKey.deserialize(fromBase64(registration.aciIdentityKey));
    const pniIdentity = PublicKey.deserialize(fromBase64(registration.pniIdentityKey));
    expect(aciIdentity.equals(pniIdentity)).toBe(false);
    expect((await stores.aci.identity.getIdentityKeyPair()).publicKey.equals(aciIdentity)).toBe(true);
    expect(await stores.pni.identity.getLocalRegistrationId()).toBe(registration.pniRegistrationId);

    // Signatures verify under the identity key of the right identity, and not the other one.
    const spk = registration.aciSignedPreKey;
    expect(aciIdentity.verify(fromBase64(spk.publicKey), fromBase64(spk.signature))).toBe(true);
    expect(pniIdentity.verify(fromBase64(spk.publicKey), fromBase64(spk.signature))).toBe(false);
    const lr = registration.pniPqLastResortPreKey;
    expect(pniIdentity.verify(fromBase64(lr.publicKey), fromBase64(lr.signature))).toBe(true);
    KEMPublicKey.deserialize(fromBase64(lr.publicKey));

    // Private halves are in the stores.
    const storedSpk = await stores.aci.signedPreKeys.getSignedPreKey(spk.keyId);
    expect(Buffer.from(storedSpk.publicKey().serialize()).toString('base64')).toBe(spk.publicKey);
    expect(stores.pni.kyberPreKeys.isLastResort(lr.keyId)).toBe(true);

    expect(keys.oneTime.aci.preKeys).toHaveLength(5);
    expect(keys.oneTime.aci.pqPreKeys).toHaveLength(5);
    expect(stores.aci.preKeys.count()).toBe(5);
    expect(stores.pni.kyberPreKeys.countOneTime()).toBe(5);
    for (const k of keys.oneTime.pni.pqPreKeys) {
      expect(pniIdentity.verify(fromBase64(k.publicKey), fromBase64(k.signature))).toBe(true);
      expect(stores.pni.kyberPreKeys.isLastResort(k.keyId)).toBe(false);
    }
    const ids = keys.oneTime.aci.preKeys.map((k) => k.keyId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuses to overwrite an existing identity', () => {
    createPrimaryKeys(stores, 1);
    expect(() => createPrimaryKeys(stores, 1)).toThrow(PreconditionError);
  });

  it('records the service ids the server assigned', () => {
    createPrimaryKeys(stores, 1);
    setLocalServiceIds(
      stores,
      '11111111-2222-4333-8444-555555555555',
      '66666666-7777-4888-8999-aaaaaaaaaaaa',
    );
    expect(stores.aci.identity.localServiceId()).toBe('11111111-2222-4333-8444-555555555555');
    expect(stores.pni.identity.localServiceId()).toBe('PNI:66666666-7777-4888-8999-aaaaaaaaaaaa');
    expect(stores.forLocalServiceId('PNI:66666666-7777-4888-8999-aaaaaaaaaaaa')?.kind).toBe('pni');
    expect(stores.forLocalServiceId('00000000-0000-4000-8000-000000000000')).toBeNull();
  });
});

describe('replenishPreKeys', () => {
  it('does nothing while the server has enough keys and the signed keys are fresh', () => {
    createPrimaryKeys(stores, 3);
    expect(replenishPreKeys(stores, 'aci', { count: 50, pqCount: 50 })).toBeNull();
    expect(needsOneTimePreKeys({ count: 50, pqCount: 9 })).toBe(true);
  });

  it('generates and persists a new batch when the server count is low, with fresh ids', () => {
    const first = createPrimaryKeys(stores, 3);
    const upload = replenishPreKeys(stores, 'aci', { count: 2, pqCount: 40 }, { batchSize: 7 });
    expect(upload).not.toBeNull();
    expect(upload?.preKeys).toHaveLength(7);
    expect(upload?.pqPreKeys).toHaveLength(7);
    expect(upload?.signedPreKey).toBeUndefined();
    expect(stores.aci.preKeys.count()).toBe(3 + 7);
    const oldIds = new Set(first.oneTime.aci.preKeys.map((k) => k.keyId));
    for (const k of upload?.preKeys ?? []) {
      expect(oldIds.has(k.keyId)).toBe(false);
      expect(stores.aci.preKeys.has(k.keyId)).toBe(true);
    }
    // The PNI identity is untouched.
    expect(stores.pni.preKeys.count()).toBe(3);
  });

  it('rotates the signed and last-resort prekeys when they are old', () => {
    const first = createPrimaryKeys(stores, 1);
    const later = Date.now() + SIGNED_PREKEY_ROTATION_MS + 1000;
    const upload = replenishPreKeys(
      stores,
      'pni',
      { count: 100, pqCount: 100 },
      { now: later, batchSize: 4 },
    );
    // An upload replaces the server's one-time keys, so a rotation carries a fresh batch.
    expect(upload?.preKeys).toHaveLength(4);
    expect(upload?.pqPreKeys).toHaveLength(4);
    expect(upload?.signedPreKey?.keyId).not.toBe(first.registration.pniSignedPreKey.keyId);
    expect(upload?.pqLastResortPreKey).toBeDefined();
    expect(stores.pni.signedPreKeys.newest()?.id).toBe(upload?.signedPreKey?.keyId);
    expect(stores.pni.kyberPreKeys.newestLastResort()?.id).toBe(upload?.pqLastResortPreKey?.keyId);
  });

  it('prunes old signed and last-resort prekeys after the keep period, keeping the newest three', () => {
    const first = createPrimaryKeys(stores, 1);
    const day = 24 * 60 * 60 * 1000;
    let t = Date.now();
    for (let i = 0; i < 4; i += 1) {
      t += 3 * day;
      replenishPreKeys(stores, 'aci', { count: 100, pqCount: 100 }, { now: t });
    }
    t += 40 * day; // everything so far is past the 30-day keep period
    const last = replenishPreKeys(stores, 'aci', { count: 100, pqCount: 100 }, { now: t });
    const signedIds = (
      db.prepare("SELECT id FROM signal_signed_prekeys WHERE kind = 'aci'").all() as { id: number }[]
    ).map((r) => r.id);
    expect(signedIds).toHaveLength(3);
    expect(signedIds).toContain(last?.signedPreKey?.keyId);
    expect(signedIds).not.toContain(first.registration.aciSignedPreKey.keyId);
    const lastResort = db
      .prepare("SELECT COUNT(*) AS n FROM signal_kyber_prekeys WHERE kind = 'aci' AND last_resort = 1")
      .get() as { n: number };
    expect(lastResort.n).toBe(3);
    expect(stores.aci.kyberPreKeys.isLastResort(first.registration.aciPqLastResortPreKey.keyId)).toBeNull();
    // The PNI identity keeps its own keys.
    expect(stores.pni.signedPreKeys.newest()?.id).toBe(first.registration.pniSignedPreKey.keyId);
  });

  it('rejects nonsense counts and batch sizes with typed errors', () => {
    createPrimaryKeys(stores, 1);
    // Counts come from the server: nonsense there is a protocol error, not the user's input.
    expect(() => replenishPreKeys(stores, 'aci', { count: -1, pqCount: 0 })).toThrow(ProtocolError);
    expect(() => generateOneTimePreKeys(stores, 'aci', 0)).toThrow(ValidationError);
  });
});

describe('stores', () => {
  it('survive closing and reopening the encrypted DB file', async () => {
    const keys = createPrimaryKeys(stores, 2);
    const file = join(dir.path, 'vault.db');
    db.close();
    db = openTestDb(file);
    stores = new SignalProtocolStores(db);
    const pair = await stores.aci.identity.getIdentityKeyPair();
    expect(Buffer.from(pair.publicKey.serialize()).toString('base64')).toBe(keys.registration.aciIdentityKey);
    expect(stores.aci.preKeys.count()).toBe(2);
  });

  it('refuse every call after dispose()', async () => {
    createPrimaryKeys(stores, 1);
    stores.dispose();
    await expect(stores.aci.identity.getIdentityKeyPair()).rejects.toThrow(VaultLockedError);
    expect(() => stores.aci.preKeys.count()).toThrow(VaultLockedError);
  });
});

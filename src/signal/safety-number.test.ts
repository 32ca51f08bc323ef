import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProtocolError, ValidationError } from '../errors.js';
import {
  computeSafetyNumber,
  compareScanned,
  markUnverified,
  markVerified,
  safetyNumberFor,
} from './safety-number.js';
import { VerifiedStatus } from './stores/index.js';
import { createTestPki } from './test-support/certificates.js';
import { createTestDir, type TestDir } from '../test-support/files.js';
import { createParty, deliver, type Party } from './test-support/party.js';

let dir: TestDir;
let alice: Party;
let bob: Party;
const others: Party[] = [];

beforeEach(async () => {
  dir = createTestDir();
  const pki = createTestPki();
  alice = createParty(dir.path, 'alice', [pki.trustRoot], 1);
  bob = createParty(dir.path, 'bob', [pki.trustRoot], 1);
  // A first exchange so each side has stored the other's identity key.
  await alice.cipher.processPreKeyBundle(bob.aci, bob.nextBundle());
  await bob.cipher.decrypt(
    deliver(alice, bob, await alice.cipher.encrypt(bob.aci, 1, { dataMessage: { body: 'hi' } })),
  );
});

afterEach(() => {
  for (const p of [alice, bob, ...others.splice(0)]) p.close();
  dir.dispose();
});

describe('safety numbers', () => {
  it('are identical on both sides: 60 digits in 12 groups of 5, and QR payloads that compare', () => {
    const a = safetyNumberFor(alice.stores, bob.aci);
    const b = safetyNumberFor(bob.stores, alice.aci);
    expect(a.digits).toMatch(/^\d{60}$/);
    expect(a.groups).toHaveLength(12);
    expect(a.groups.every((g) => /^\d{5}$/.test(g))).toBe(true);
    expect(a.groups.join('')).toBe(a.digits);
    expect(b.digits).toBe(a.digits);
    expect(Buffer.from(a.qrPayload).equals(Buffer.from(b.qrPayload))).toBe(false); // each side encodes "local first"

    expect(compareScanned(alice.stores, bob.aci, b.qrPayload)).toBe('match');
    expect(alice.stores.aci.identity.getRemoteIdentity(bob.aci)?.verified).toBe(VerifiedStatus.Verified);
  });

  it('change when a key changes; the old number no longer verifies and a verified contact becomes unverified', async () => {
    const before = safetyNumberFor(alice.stores, bob.aci);
    expect(markVerified(alice.stores, bob.aci, before)).toBe(true);
    const bob2 = createParty(dir.path, 'bob2', [createTestPki().trustRoot], 1, bob.aci);
    others.push(bob2);
    await alice.cipher.processPreKeyBundle(bob.aci, bob2.nextBundle()).catch(() => undefined); // blocked: needs approval
    expect(alice.stores.aci.identity.getRemoteIdentity(bob.aci)?.verified).toBe(VerifiedStatus.Unverified);
    const after = safetyNumberFor(alice.stores, bob.aci);
    expect(after.digits).not.toBe(before.digits);
    expect(markVerified(alice.stores, bob.aci, before)).toBe(false); // stale number: not applied
    expect(alice.stores.aci.identity.getRemoteIdentity(bob.aci)?.verified).toBe(VerifiedStatus.Unverified);
    expect(compareScanned(alice.stores, bob.aci, safetyNumberFor(bob.stores, alice.aci).qrPayload)).toBe(
      'mismatch',
    );
    expect(markVerified(alice.stores, bob.aci, after)).toBe(true);
    expect(alice.stores.aci.identity.getRemoteIdentity(bob.aci)).toMatchObject({
      verified: VerifiedStatus.Verified,
      needsApproval: false,
    });
    expect(markUnverified(alice.stores, bob.aci)).toBe(true);
    expect(alice.stores.aci.identity.getRemoteIdentity(bob.aci)?.verified).toBe(VerifiedStatus.Unverified);
  });

  it('rejects garbage QR payloads, unknown contacts and non-ACIs with typed results', () => {
    expect(compareScanned(alice.stores, bob.aci, new Uint8Array([1, 2, 3]))).toBe('invalid');
    expect(alice.stores.aci.identity.getRemoteIdentity(bob.aci)?.verified).toBe(VerifiedStatus.Default);
    expect(() => safetyNumberFor(alice.stores, '00000000-0000-4000-8000-000000000001')).toThrow(
      ProtocolError,
    );
    const key = alice.stores.aci.identity.localKeyPair().publicKey;
    expect(() => computeSafetyNumber(alice.aci, key, bob.pni, key)).toThrow(ValidationError);
  });
});

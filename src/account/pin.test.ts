import { Pin, PinHash } from '@signalapp/libsignal-client/dist/AccountKeys.js';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { demoEnclaveId, hashPinForSvr, localPinHash, normalizePin, verifyLocalPin } from './pin.js';
import { normalizePinString } from './pin-normalize.js';

describe('PIN normalisation', () => {
  it('trims, maps non-ASCII digits to ASCII when the PIN is all digits, and applies NFKD', () => {
    expect(normalizePinString('  123456 \n')).toBe('123456');
    expect(normalizePinString('١٢٣٤٥٦')).toBe('123456'); // Arabic-Indic digits
    expect(normalizePinString('۱۲۳۴۵۶')).toBe('123456'); // Extended Arabic-Indic
    expect(normalizePinString('१२३४५६')).toBe('123456'); // Devanagari
    expect(normalizePinString('𝟏𝟐𝟑𝟒𝟓𝟔')).toBe('123456'); // mathematical bold digits (adjacent digit blocks)
    expect(normalizePinString('１２３４５６')).toBe('123456'); // fullwidth
    // Mixed digits and letters: no digit mapping, but NFKD still applies (é → e + combining acute).
    expect(normalizePinString('café١')).toBe('cafe\u0301١');
    expect([...normalizePin('é')]).toEqual([0x65, 0xcc, 0x81]);
    expect(() => normalizePin('   ')).toThrow(ValidationError);
    expect(() => normalizePin('x'.repeat(300))).toThrow(ValidationError);
  });
});

describe('SVR PIN hash (libsignal PinHash.fromUsernameMrenclave)', () => {
  const enclave = demoEnclaveId();

  it('is deterministic for the same PIN, username and enclave, and splits into two 32-byte keys', () => {
    const a = hashPinForSvr('Correct-Horse-91', 'svr-user-1', enclave);
    const b = hashPinForSvr('  Correct-Horse-91  ', 'svr-user-1', enclave); // same after normalisation
    expect(a.encryptionKey).toHaveLength(32);
    expect(a.accessKey).toHaveLength(32);
    expect(a.encryptionKey.equals(b.encryptionKey)).toBe(true);
    expect(a.accessKey.equals(b.accessKey)).toBe(true);
    expect(a.encryptionKey.equals(a.accessKey)).toBe(false);
    // Matches libsignal called directly on the normalised bytes.
    const direct = PinHash.fromUsernameMrenclave(
      new Uint8Array(Buffer.from('Correct-Horse-91')),
      'svr-user-1',
      enclave,
    );
    expect(Buffer.from(direct.encryptionKey).equals(a.encryptionKey)).toBe(true);
    expect(Buffer.from(direct.accessKey).equals(a.accessKey)).toBe(true);
  });

  it('changes with the PIN and with the username', () => {
    const base = hashPinForSvr('Correct-Horse-91', 'svr-user-1', enclave);
    const otherPin = hashPinForSvr('Correct-Horse-92', 'svr-user-1', enclave);
    const otherUser = hashPinForSvr('Correct-Horse-91', 'svr-user-2', enclave);
    for (const other of [otherPin, otherUser]) {
      expect(other.encryptionKey.equals(base.encryptionKey)).toBe(false);
      expect(other.accessKey.equals(base.accessKey)).toBe(false);
    }
  });

  it('changes with the enclave (salt) — shown with PinHash.fromSalt, since only known enclaves are accepted', () => {
    const pin = new Uint8Array(Buffer.from('Correct-Horse-91'));
    const s1 = PinHash.fromSalt(pin, new Uint8Array(32).fill(1));
    const s2 = PinHash.fromSalt(pin, new Uint8Array(32).fill(2));
    expect(Buffer.from(s1.accessKey).equals(Buffer.from(s2.accessKey))).toBe(false);
    // An unknown enclave id is a typed error, not a crash.
    expect(() => hashPinForSvr('Correct-Horse-91', 'svr-user-1', new Uint8Array(32))).toThrow(
      ValidationError,
    );
  });

  it('local hash verifies the right PIN only and never contains it', () => {
    const hash = localPinHash('١٢٣٤٥٦٧٨٩'); // stored after normalisation
    expect(hash).toMatch(/^\$argon2/);
    expect(hash).not.toContain('123456789');
    expect(verifyLocalPin(hash, '123456789')).toBe(true);
    expect(verifyLocalPin(hash, '123456780')).toBe(false);
    expect(verifyLocalPin('not a hash', '123456789')).toBe(false);
    expect(verifyLocalPin(hash, '')).toBe(false);
    expect(Pin.verifyLocalHash(hash, new Uint8Array(Buffer.from('123456789')))).toBe(true);
  });
});

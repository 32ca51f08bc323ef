import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decryptProfileName,
  encryptProfileField,
  encryptProfileName,
  PADDED_LENGTHS,
} from './profile-crypto.js';

const KEY = randomBytes(32);

/** As a sender that does not pad (the demo network's simulated phones) or sends what it likes. */
function rawEncrypt(plain: Buffer, key = KEY): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  return Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

describe('profile field encryption (Signal padded AES-GCM)', () => {
  it('pads names to 53 or 257 bytes and about to 128/254/512 (nonce 12 + tag 16 on top)', () => {
    expect(PADDED_LENGTHS).toEqual({ name: [53, 257], about: [128, 254, 512] });
    expect(encryptProfileName({ givenName: 'Ann', familyName: null }, KEY)).toHaveLength(12 + 53 + 16);
    expect(encryptProfileName({ givenName: 'A'.repeat(60), familyName: null }, KEY)).toHaveLength(
      12 + 257 + 16,
    );
    expect(encryptProfileField('about', 'b'.repeat(200), KEY)).toHaveLength(12 + 254 + 16);
  });

  it('round trip: given and family, split at NUL', () => {
    const encrypted = encryptProfileName({ givenName: 'Zoë', familyName: 'Ng' }, KEY);
    expect(decryptProfileName(encrypted, KEY)).toEqual({
      ok: true,
      value: { givenName: 'Zoë', familyName: 'Ng' },
    });
  });

  it('too long to encrypt → INVALID_INPUT naming the field', () => {
    expect(() =>
      encryptProfileName({ givenName: 'g'.repeat(100), familyName: 'é'.repeat(100) }, KEY),
    ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', fields: ['familyName'] }));
    expect(() => encryptProfileField('about', 'x'.repeat(513), KEY)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', fields: ['about'] }),
    );
  });

  it('hostile profiles are typed failures, never throws', () => {
    expect(decryptProfileName(rawEncrypt(Buffer.from('Mallory')), KEY)).toMatchObject({ ok: true });
    expect(decryptProfileName(rawEncrypt(Buffer.from('Mallory'), randomBytes(32)), KEY)).toEqual({
      ok: false,
      failure: 'undecryptable',
    });
    expect(decryptProfileName(Buffer.alloc(10), KEY)).toEqual({ ok: false, failure: 'malformed' });
    expect(decryptProfileName(rawEncrypt(Buffer.alloc(300, 0x41)), KEY)).toEqual({
      ok: false,
      failure: 'too-long',
    });
    expect(decryptProfileName(rawEncrypt(Buffer.from([0x41, 0xff, 0xfe])), KEY)).toEqual({
      ok: false,
      failure: 'not-utf8',
    });
    expect(decryptProfileName(rawEncrypt(Buffer.alloc(53)), KEY)).toEqual({
      ok: false,
      failure: 'malformed',
    });
  });

  it('strips control and bidi characters a name could spoof with', () => {
    const spoof = rawEncrypt(Buffer.from('Bob\u202Eevil\u0007'));
    expect(decryptProfileName(spoof, KEY)).toEqual({
      ok: true,
      value: { givenName: 'Bobevil', familyName: null },
    });
  });
});

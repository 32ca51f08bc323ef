import { describe, expect, it } from 'vitest';
import {
  decryptUsernameFromLink,
  encryptUsernameForLink,
  FieldValidationError,
  parseUsername,
  parseUsernameLink,
  usernameCandidates,
  usernameLinkUrl,
} from './usernames.js';

function refusal(step: () => unknown): FieldValidationError {
  try {
    step();
  } catch (error) {
    if (error instanceof FieldValidationError) return error;
    throw error;
  }
  throw new Error('expected a FieldValidationError');
}

describe('usernames (libsignal rules as typed INVALID_INPUT)', () => {
  it('random candidates all carry the nickname and hash as the library does', () => {
    const candidates = usernameCandidates('alice_w');
    expect(candidates.length).toBeGreaterThan(1);
    for (const c of candidates) {
      expect(c.username).toBe(`alice_w.${c.discriminator}`);
      expect(c.nickname).toBe('alice_w');
      expect(c.hash).toHaveLength(32);
    }
  });

  it('a chosen discriminator gives exactly that username', () => {
    expect(usernameCandidates('alice', '42').map((c) => c.username)).toEqual(['alice.42']);
  });

  it.each([
    ['al', undefined, 'nickname', /too short/],
    ['9lives', undefined, 'nickname', /cannot start with a digit/],
    ['a-b', undefined, 'nickname', /letters a–z, digits and _/],
    ['x'.repeat(33), undefined, 'nickname', /too long/],
    ['alice', '7', 'discriminator', /at least 2 digits/],
    ['alice', '00', 'discriminator', /all zeros/],
    ['alice', '007', 'discriminator', /cannot start with 0/],
  ])('refuses nickname %j / discriminator %j naming the %s field', (nickname, discriminator, field, rule) => {
    const error = refusal(() => usernameCandidates(nickname, discriminator));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.fields).toEqual([field]);
    expect(error.message).toMatch(rule);
  });

  it('a typed username names its one field, whatever part is wrong', () => {
    expect(refusal(() => parseUsername('alice')).fields).toEqual(['username']);
    expect(refusal(() => parseUsername('al.42')).fields).toEqual(['username']);
    expect(refusal(() => parseUsername('alice.1')).message).toMatch(/at least 2 digits/);
    expect(parseUsername('Alice.42').hash).toEqual(parseUsername('alice.42').hash);
  });
});

describe('username links', () => {
  const handle = '0f1e2d3c-4b5a-4978-9796-a5b4c3d2e1f0';

  it("Signal's URL: https://signal.me/#eu/ + base64url(entropy ‖ handle), round trip", () => {
    const { entropy, ciphertext } = encryptUsernameForLink('alice.42');
    const url = usernameLinkUrl(entropy, handle);
    expect(url).toMatch(/^https:\/\/signal\.me\/#eu\/[A-Za-z0-9_-]{64}$/);
    const parsed = parseUsernameLink(url);
    expect(parsed.entropy.equals(Buffer.from(entropy))).toBe(true);
    expect(parsed.handle.toString('hex')).toBe(handle.replace(/-/g, ''));
    expect(decryptUsernameFromLink(parsed.entropy, ciphertext).username).toBe('alice.42');
  });

  it('hostile links are INVALID_INPUT naming usernameLink, never a crash', () => {
    const { entropy, ciphertext } = encryptUsernameForLink('alice.42');
    const url = usernameLinkUrl(entropy, handle);
    for (const bad of [
      'https://evil.example/#eu/abc',
      'https://signal.me/#eu/',
      'https://signal.me/#eu/not*base64',
      url.slice(0, -4),
      `${url}AAAA`,
      usernameLinkUrl(entropy, '0f1e2d3c-4b5a-0978-9796-a5b4c3d2e1f0'),
      usernameLinkUrl(entropy, '0f1e2d3c-4b5a-4978-1796-a5b4c3d2e1f0'),
    ]) {
      expect(refusal(() => parseUsernameLink(bad)).fields).toEqual(['usernameLink']);
    }
    const wrongEntropy = Buffer.from(entropy);
    wrongEntropy[0] = (wrongEntropy[0] ?? 0) ^ 1;
    expect(refusal(() => decryptUsernameFromLink(wrongEntropy, ciphertext)).message).toMatch(/damaged/);
    const tampered = Buffer.from(ciphertext);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(refusal(() => decryptUsernameFromLink(entropy, tampered)).message).toMatch(/damaged/);
    expect(refusal(() => decryptUsernameFromLink(entropy, Buffer.alloc(3))).message).toMatch(/damaged/);
  });
});

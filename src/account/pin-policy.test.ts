import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkPin,
  estimatePinEntropy,
  generatedPinBits,
  generateStrongPin,
  STRONG_PIN_BITS,
  type PinVerdict,
} from './pin-policy.js';
import { normalizePinString } from './pin-normalize.js';

describe('strong-PIN policy', () => {
  const table: [string, PinVerdict][] = [
    ['1234', 'refused'], // numeric, < 6 digits, most common PIN
    ['0000', 'refused'],
    ['12345', 'refused'],
    ['83729', 'refused'], // random but numeric and only 5 digits
    ['123456', 'refused'], // common + sequence
    ['147258', 'refused'], // keypad walk, common
    ['604918', 'weak-needs-confirmation'], // not a known pattern, but only 6 digits
    ['258025', 'refused'], // keypad walk 2-5-8-0-2-5
    ['112233', 'refused'],
    ['987654', 'refused'],
    ['135791', 'refused'], // step-2 sequence
    ['19841231', 'refused'], // a date
    ['aaaaaaaa', 'refused'],
    ['qwertyuiop', 'refused'], // keyboard walk
    ['password', 'refused'],
    ['P@ssw0rd', 'refused'], // leet of a common word
    ['abcabcabc', 'refused'],
    ['abc', 'refused'], // too short
    ['   ', 'refused'], // empty after trim
    ['739251', 'weak-needs-confirmation'], // 6 random digits: allowed only after the warning
    ['73925184', 'weak-needs-confirmation'],
    ['correct horse', 'weak-needs-confirmation'],
    ['Tr0ub4dor&3', 'ok'],
    ['7g3KxQ9mWp2LrT8vZ4nB', 'ok'], // 20-char random alphanumeric
    ['kettle-violin-moss-42', 'ok'],
  ];

  it.each(table)('%j → %s', (pin, verdict) => {
    const result = checkPin(pin);
    expect(result.verdict).toBe(verdict);
    if (verdict !== 'ok') expect(result.reasons.length).toBeGreaterThan(0);
    if (verdict === 'ok') expect(result.bits).toBeGreaterThanOrEqual(STRONG_PIN_BITS);
    // Reasons explain; they never quote the PIN.
    if (/\d/.test(pin)) for (const reason of result.reasons) expect(reason).not.toContain(pin.trim());
  });

  it('the weak-PIN warning explains the offline brute-force risk', () => {
    const result = checkPin('739251');
    expect(result.reasons.join(' ')).toMatch(/enclave/);
    expect(result.reasons.join(' ')).toMatch(/offline/);
    expect(result.offlineCrackSeconds).toBeLessThan(3600);
    expect(checkPin('7g3KxQ9mWp2LrT8vZ4nB').offlineCrackSeconds).toBeGreaterThan(1e20);
  });

  it('entropy is monotonic in length for random input', () => {
    // Deterministic pseudo-random alphanumeric strings (SHA-256 counter mode), so the test cannot flake.
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    for (let seed = 0; seed < 20; seed++) {
      let s = '';
      for (let block = 0; s.length < 40; block++) {
        for (const byte of createHash('sha256').update(`${seed}:${block}`).digest()) {
          if (byte < 248) s += alphabet[byte % 62];
        }
      }
      let previous = 0;
      for (let n = 1; n <= 40; n++) {
        const bits = estimatePinEntropy(s.slice(0, n));
        expect(bits).toBeGreaterThanOrEqual(previous);
        previous = bits;
      }
      expect(previous).toBeGreaterThan(150);
    }
    // Digits only: strictly growing by log2(10) per random digit.
    expect(estimatePinEntropy('7392518406')).toBeGreaterThan(estimatePinEntropy('739251840'));
  });

  it('patterns score far below random strings of the same length', () => {
    expect(estimatePinEntropy('1111111111')).toBeLessThan(10);
    expect(estimatePinEntropy('1234567890')).toBeLessThan(10);
    expect(estimatePinEntropy('7392518406')).toBeGreaterThan(30);
  });

  it('scores the PIN that is hashed: digits of every script count as the ASCII digits they hash as', () => {
    const scripts: [string, (ascii: string) => string][] = [
      ['Arabic-Indic', (a) => a.replace(/\d/g, (d) => String.fromCodePoint(0x660 + Number(d)))],
      ['Devanagari', (a) => a.replace(/\d/g, (d) => String.fromCodePoint(0x966 + Number(d)))],
      ['fullwidth', (a) => a.replace(/\d/g, (d) => String.fromCodePoint(0xff10 + Number(d)))],
    ];
    for (const ascii of ['1234', '123456', '147258', '19841231', '739251', '73925184']) {
      const expected = checkPin(ascii);
      for (const [script, toScript] of scripts) {
        const pin = toScript(ascii);
        expect(pin, script).not.toBe(ascii);
        expect(normalizePinString(pin), script).toBe(ascii);
        expect(checkPin(pin), `${script} ${ascii}`).toEqual(expected);
        expect(estimatePinEntropy(` ${pin}\n`), `${script} ${ascii}`).toBe(estimatePinEntropy(ascii));
      }
    }
    expect(checkPin('١٢٣٤').verdict).toBe('refused');
    expect(checkPin('١٢٣٤٥٦')).toMatchObject({ verdict: 'refused', bits: checkPin('123456').bits });
  });

  it('generates 24-char alphanumeric PINs of ≥ 140 bits that pass the policy', () => {
    expect(generatedPinBits()).toBeGreaterThanOrEqual(140);
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const pin = generateStrongPin();
      expect(pin).toMatch(/^[A-Za-z0-9]{24}$/);
      expect(checkPin(pin).verdict).toBe('ok');
      seen.add(pin);
    }
    expect(seen.size).toBe(50);
    expect(generateStrongPin(32)).toHaveLength(32);
    expect(() => generateStrongPin(8)).toThrow(RangeError);
  });
});

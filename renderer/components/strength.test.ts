import { describe, expect, it } from 'vitest';
import { MAX_SCORED_CHARS, MIN_PASSPHRASE_BITS, loadStrengthEstimator, strengthLabel } from './strength.js';

describe('passphrase strength (zxcvbn)', () => {
  it('rates famous and common passphrases low', async () => {
    const bits = await loadStrengthEstimator();
    for (const weak of ['correct horse battery staple', 'Correct Horse Battery Staple', 'password123']) {
      expect(bits(weak), weak).toBeLessThan(30);
      expect(strengthLabel(bits(weak))).toBe('too weak');
    }
    expect(bits('')).toBe(0);
  });

  it('rates a random six-word diceware phrase high', async () => {
    const bits = await loadStrengthEstimator();
    const phrase = 'tundra oxide mellow garnet fiddle sprocket';
    expect(bits(phrase)).toBeGreaterThanOrEqual(100);
    expect(strengthLabel(bits(phrase))).toBe('very strong');
  });

  it('accepts the kind of phrase the first-run hint suggests', async () => {
    const bits = await loadStrengthEstimator();
    expect(bits('amber falcon quietly 47 rivers')).toBeGreaterThanOrEqual(MIN_PASSPHRASE_BITS);
  });

  it('scores a bounded prefix, so a pasted megabyte (even repetitive, l33t-heavy) stays fast', async () => {
    const bits = await loadStrengthEstimator();
    for (const unit of ['x9!Qz', 'a1b2c3d4', '4@3!1|0$7+']) {
      const huge = unit.repeat(1 + 1_000_000 / unit.length);
      const started = performance.now();
      expect(bits(huge)).toBe(bits(huge.slice(0, MAX_SCORED_CHARS)));
      // Generous for a loaded CI machine; unbounded, this input takes many seconds.
      expect(performance.now() - started).toBeLessThan(3_000);
    }
  });
});

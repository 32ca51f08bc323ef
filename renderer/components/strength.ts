/**
 * A rough passphrase strength estimate for the meter (bits). It rewards length and character variety
 * and penalises repeats, sequences and very common passwords. It is a guide for the user, not a proof.
 */
const COMMON = new Set([
  'password',
  'passphrase',
  'letmein',
  'qwerty',
  'qwertyuiop',
  'iloveyou',
  'admin',
  'welcome',
  'monkey',
  'dragon',
  'carapace',
  'signal',
  '123456',
  '12345678',
  '123456789',
  'abc123',
]);

export function estimatePassphraseBits(value: string): number {
  if (!value) return 0;
  const lower = value.toLowerCase();
  if (COMMON.has(lower) || COMMON.has(lower.replace(/\d+$/, ''))) return 5;
  let pool = 0;
  if (/[a-z]/.test(value)) pool += 26;
  if (/[A-Z]/.test(value)) pool += 26;
  if (/\d/.test(value)) pool += 10;
  if (/[^A-Za-z0-9\s]/.test(value)) pool += 33;
  if (/\s/.test(value)) pool += 1;
  const chars = Array.from(value);
  let effective = 0;
  for (let i = 0; i < chars.length; i++) {
    const prev = i > 0 ? (chars[i - 1]?.codePointAt(0) ?? 0) : -10;
    const code = chars[i]?.codePointAt(0) ?? 0;
    // Repeats and +/-1 sequences ("aaaa", "abcd", "4321") add little.
    effective += code === prev || Math.abs(code - prev) === 1 ? 0.25 : 1;
  }
  return Math.round(effective * Math.log2(Math.max(pool, 2)));
}

export type StrengthLabel = 'too weak' | 'weak' | 'fair' | 'strong' | 'very strong';

export function strengthLabel(bits: number): StrengthLabel {
  if (bits < 30) return 'too weak';
  if (bits < 50) return 'weak';
  if (bits < 70) return 'fair';
  if (bits < 100) return 'strong';
  return 'very strong';
}

/** The minimum the first-run screen accepts. */
export const MIN_PASSPHRASE_BITS = 50;

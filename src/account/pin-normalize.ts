/**
 * The one PIN normalisation, shared by the hash (pin.ts) and the strong-PIN policy (pin-policy.ts) so the
 * policy scores exactly the string that is hashed. Platform-free: no libsignal, no node: imports.
 */

/** Numeric value (0–9) of a Unicode decimal digit (general category Nd), or undefined. */
function unicodeDigitValue(char: string): number | undefined {
  if (!/^\p{Nd}$/u.test(char)) return undefined;
  // Unicode guarantees Nd digits come in contiguous runs of ten, each run starting at its zero: the
  // offset from the start of the run, modulo ten, is the digit's value.
  let code = char.codePointAt(0) ?? 0;
  let offset = 0;
  while (offset < 1000 && /^\p{Nd}$/u.test(String.fromCodePoint(code - 1))) {
    code -= 1;
    offset += 1;
  }
  return offset % 10;
}

/**
 * The PIN normalisation SVR specifies: trim surrounding white space; if every character is a decimal
 * digit (in any script), map the digits to ASCII 0–9; then Unicode NFKD. Returns the string form.
 */
export function normalizePinString(pin: string): string {
  const trimmed = pin.trim();
  const chars = [...trimmed];
  let mapped = trimmed;
  if (chars.length > 0 && chars.every((c) => /^\p{Nd}$/u.test(c))) {
    mapped = chars.map((c) => String(unicodeDigitValue(c) ?? c)).join('');
  }
  return mapped.normalize('NFKD');
}

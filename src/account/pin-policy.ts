/**
 * Strong-PIN policy (beyond Signal). Why it matters (seed article 003): the PIN protects the master key
 * inside the SVR enclave, which limits guesses to 10. If the enclave's protections ever fall, the attacker
 * gets the argon2id hash and guesses offline without a limit: a 4–6 digit PIN (10^4–10^6 guesses) falls in
 * minutes to hours. Only a long random PIN (the seed's advice: 20+ random alphanumeric characters) keeps
 * the master key — and with it the registration lock, contacts and settings — safe in that case.
 *
 * `estimatePinEntropy` is a small zxcvbn-style estimator: the cheapest decomposition of the PIN into
 * random characters (log2 of the character pool each), common PINs and words, repeats, sequences,
 * keyboard/keypad walks and dates. It is deliberately pessimistic about patterns and generous to
 * random input (a diceware passphrase from a list it does not know is overrated; that is the limit).
 *
 * Platform-free except for node:crypto's randomInt in the generator.
 */
import { randomInt } from 'node:crypto';
import {
  GENERATED_PIN_LENGTH,
  MIN_NUMERIC_PIN_LENGTH,
  MIN_PIN_LENGTH,
  STRONG_PIN_BITS,
} from './pin-constants.js';
import { normalizePinString } from './pin-normalize.js';

export { STRONG_PIN_BITS };

export type PinVerdict = 'refused' | 'weak-needs-confirmation' | 'ok';

export interface PinCheck {
  readonly verdict: PinVerdict;
  /** Estimated entropy in bits (rounded to one decimal). */
  readonly bits: number;
  /** Why the PIN is refused or weak, in plain language (never quoting the PIN). */
  readonly reasons: readonly string[];
  /** Expected time for an offline attacker at OFFLINE_GUESSES_PER_SECOND to find it (half the space). */
  readonly offlineCrackSeconds: number;
}

/**
 * An attacker who has the enclave's data computes argon2id (16 MiB, t = 32) on many machines: we assume
 * 10,000 guesses per second (≈ 2,000–8,000 cores at the 0.2–0.8 s per guess measured on one core by bench/pin.bench.ts).
 */
const OFFLINE_GUESSES_PER_SECOND = 10_000;
const GENERATOR_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * Most common numeric PINs (4, 5 and 6 digits), compiled from public analyses of leaked PIN and
 * password sets. Exact matches are refused.
 */
// prettier-ignore
const COMMON_PINS: readonly string[] = [
  // 4 digits
  '1234', '1111', '0000', '1212', '7777', '1004', '2000', '4444', '2222', '6969', '9999', '3333', '5555',
  '6666', '1122', '1313', '8888', '4321', '2001', '1010', '2580', '0852', '1998', '1999', '1984', '1986',
  '2468', '1357', '9876', '0123', '1230', '5683', '0007', '1233', '2112', '1221', '1001', '0101', '7890',
  // 5 digits
  '12345', '11111', '55555', '54321', '00000', '22222', '33333', '99999', '13579', '12321', '77777',
  // 6 digits
  '123456', '654321', '111111', '000000', '123123', '666666', '121212', '112233', '789456', '159753',
  '147258', '258369', '123321', '696969', '987654', '555555', '999999', '777777', '888888', '222222',
  '333333', '444444', '159357', '101010', '131313', '520520', '102030', '123654', '147852', '852456',
  '741852', '963852', '456789', '234567', '112358', '121314', '202020', '212121', '246810', '369369',
  '456123', '321654', '753951', '147369', '258258', '010203', '100200', '142536', '135790', '098765',
  // longer
  '1234567', '12345678', '123456789', '1234567890', '87654321', '11111111', '00000000', '12344321',
];

/** Common words and passwords (lower case). Whole-PIN matches are refused; parts count as one guess each. */
// prettier-ignore
const COMMON_WORDS: readonly string[] = [
  'password', 'passwort', 'qwerty', 'azerty', 'qwertz', 'letmein', 'iloveyou', 'welcome', 'admin', 'login',
  'master', 'secret', 'signal', 'molly', 'carapace', 'whatsapp', 'telegram', 'dragon', 'monkey', 'football',
  'baseball', 'soccer', 'hockey', 'batman', 'superman', 'princess', 'sunshine', 'shadow', 'michael',
  'jennifer', 'jordan', 'hunter', 'killer', 'trustno', 'freedom', 'whatever', 'starwars', 'pokemon',
  'cheese', 'chocolate', 'summer', 'winter', 'spring', 'autumn', 'flower', 'love', 'lover', 'loveme',
  'hello', 'hallo', 'bonjour', 'charlie', 'thomas', 'daniel', 'andrew', 'joshua', 'matthew', 'ashley',
  'jessica', 'amanda', 'pepper', 'ginger', 'tigger', 'buster', 'maggie', 'bailey', 'angel', 'angels',
  'purple', 'orange', 'yellow', 'silver', 'golden', 'black', 'white', 'green', 'blue', 'computer',
  'internet', 'google', 'apple', 'samsung', 'nokia', 'android', 'iphone', 'access', 'changeme', 'default',
  'guest', 'test', 'testing', 'root', 'user', 'pass', 'code', 'pincode', 'mypin', 'mypassword', 'family',
  'friend', 'friends', 'money', 'secure', 'security', 'private', 'privacy', 'phone', 'mobile', 'baby',
  'mother', 'father', 'sister', 'brother', 'heart', 'happy', 'lucky', 'magic', 'music', 'peace', 'power',
  'correct', 'horse', 'battery', 'staple', 'house', 'home', 'cat', 'dog', 'god', 'jesus', 'allah', 'liberty',
  'justice', 'matrix', 'ninja', 'pirate', 'zombie', 'qazwsx', 'asdfgh', 'zxcvbn', 'abc', 'abcd', 'abcdef',
  'monday', 'friday', 'sunday', 'january', 'april', 'june', 'july', 'october',
];

const WORD_SET = new Set(COMMON_WORDS);
const PIN_SET = new Set(COMMON_PINS);
const COMMON_PIN_BITS = Math.log2(COMMON_PINS.length);
const WORD_BITS = Math.log2(COMMON_WORDS.length);
// prettier-ignore
const LEET: Readonly<Record<string, string>> = {
  '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '@': 'a', $: 's', '!': 'i',
};

/** Keyboard layouts for walks: (row, column) of each key. */
function layout(rows: readonly string[], offsets: readonly number[]): Map<string, [number, number]> {
  const map = new Map<string, [number, number]>();
  rows.forEach((row, r) => {
    [...row].forEach((ch, c) => {
      if (ch !== ' ') map.set(ch, [r, c + (offsets[r] ?? 0)]);
    });
  });
  return map;
}
const LAYOUTS = [
  layout(['123', '456', '789', ' 0 '], [0, 0, 0, 0]), // phone keypad
  layout(['789', '456', '123', '0  '], [0, 0, 0, 0]), // numeric keypad
  layout(['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'], [0, 0.5, 0.75, 1.25]), // QWERTY
  layout(['1234567890', 'azertyuiop', 'qsdfghjklm', 'wxcvbn'], [0, 0.5, 0.75, 1.25]), // AZERTY
];

function adjacent(a: string, b: string): boolean {
  return LAYOUTS.some((map) => {
    const pa = map.get(a);
    const pb = map.get(b);
    if (!pa || !pb || a === b) return false;
    const dr = Math.abs(pa[0] - pb[0]);
    const dc = Math.abs(pa[1] - pb[1]);
    return dr <= 1 && dc <= 1.01;
  });
}

/** Size of the character pool an attacker must search for this PIN. */
function poolSize(chars: readonly string[]): number {
  let pool = 0;
  if (chars.some((c) => /[0-9]/.test(c))) pool += 10;
  if (chars.some((c) => /[a-z]/.test(c))) pool += 26;
  if (chars.some((c) => /[A-Z]/.test(c))) pool += 26;
  if (chars.some((c) => /[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/.test(c))) pool += 33;
  if (chars.some((c) => c.codePointAt(0)! > 0x7e || c.codePointAt(0)! < 0x20)) pool += 100;
  return Math.max(pool, 10);
}

function isDigits(s: string): boolean {
  return /^[0-9]+$/.test(s);
}

function validDayMonth(day: number, month: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/** Bits for a digit string that reads as a date (or a year), else undefined. */
function dateBits(s: string): number | undefined {
  if (!isDigits(s)) return undefined;
  const n = (a: number, b: number) => Number(s.slice(a, b));
  if (s.length === 4) {
    const year = n(0, 4);
    if (year >= 1900 && year <= 2049) return Math.log2(150);
    if (validDayMonth(n(0, 2), n(2, 4)) || validDayMonth(n(2, 4), n(0, 2))) return Math.log2(366);
  }
  if (s.length === 6) {
    if (
      validDayMonth(n(0, 2), n(2, 4)) ||
      validDayMonth(n(2, 4), n(0, 2)) ||
      validDayMonth(n(4, 6), n(2, 4))
    ) {
      return Math.log2(366 * 100);
    }
  }
  if (s.length === 8) {
    const yearFirst = n(0, 4);
    const yearLast = n(4, 8);
    if (
      (yearLast >= 1900 &&
        yearLast <= 2049 &&
        (validDayMonth(n(0, 2), n(2, 4)) || validDayMonth(n(2, 4), n(0, 2)))) ||
      (yearFirst >= 1900 && yearFirst <= 2049 && validDayMonth(n(6, 8), n(4, 6)))
    ) {
      return Math.log2(366 * 150);
    }
  }
  return undefined;
}

type SegmentKind = 'random' | 'common' | 'word' | 'repeat' | 'sequence' | 'walk' | 'date';

interface Segment {
  readonly kind: SegmentKind;
  readonly bits: number;
}

function deLeet(s: string): string {
  return [...s].map((c) => LEET[c] ?? c).join('');
}

/** The cheapest pattern reading of chars[i..j), if any. */
function patternSegment(
  chars: readonly string[],
  i: number,
  j: number,
  perChar: number,
): Segment | undefined {
  const len = j - i;
  const s = chars.slice(i, j).join('');
  const candidates: Segment[] = [];
  const lower = s.toLowerCase();
  // A run pattern never costs less than its own two-character prefix does as random characters: this
  // keeps the estimate monotonic as random input grows (a chance 'qwe' inside random text).
  const floor = 2 * perChar;
  if (len >= 4 && PIN_SET.has(s)) candidates.push({ kind: 'common', bits: COMMON_PIN_BITS });
  if (len >= 3) {
    const plain = WORD_SET.has(lower);
    const leet = !plain && WORD_SET.has(deLeet(lower));
    if (plain || leet) {
      const caseBits = s === lower ? 0 : s === lower[0]!.toUpperCase() + lower.slice(1) ? 1 : len;
      candidates.push({ kind: 'word', bits: WORD_BITS + caseBits + (leet ? 2 : 0) });
    }
  }
  if (len >= 3 && chars.slice(i, j).every((c) => c === chars[i])) {
    candidates.push({ kind: 'repeat', bits: Math.max(floor, perChar + Math.log2(len)) });
  }
  if (len >= 3) {
    const codes = chars.slice(i, j).map((c) => c.toLowerCase().codePointAt(0) ?? 0);
    const digits = isDigits(s);
    // Digit sequences wrap around (7-9-1-3, 2-1-0-9), as on a keypad dial.
    const delta = (a: number, b: number) => (digits ? ((((b - a) % 10) + 15) % 10) - 5 : b - a);
    const step = delta(codes[0] ?? 0, codes[1] ?? 0);
    const alnum = chars.slice(i, j).every((c) => /[0-9a-zA-Z]/.test(c));
    if (
      alnum &&
      (step === 1 || step === -1 || step === 2 || step === -2) &&
      codes.every((c, k) => k === 0 || delta(codes[k - 1]!, c) === step)
    ) {
      candidates.push({ kind: 'sequence', bits: Math.max(floor, perChar + Math.log2(len) + 1) });
    }
    let walk = true;
    for (let k = i + 1; k < j && walk; k++)
      walk = adjacent(chars[k - 1]!.toLowerCase(), chars[k]!.toLowerCase());
    if (walk) candidates.push({ kind: 'walk', bits: Math.max(floor, perChar + Math.log2(len) + 2) });
  }
  // A block repeated (123123, 1212, abcabc): the block's own cost plus the repetition count.
  if (len >= 4) {
    for (let unit = 1; unit <= len / 2; unit++) {
      if (len % unit !== 0) continue;
      const block = s.slice(0, unit);
      if (block.repeat(len / unit) === s && unit > 1) {
        const blockBits = estimateChars([...block], perChar).bits;
        candidates.push({ kind: 'repeat', bits: blockBits + Math.log2(len / unit) });
        break;
      }
    }
  }
  const date = dateBits(s);
  if (date !== undefined) candidates.push({ kind: 'date', bits: date });
  if (candidates.length === 0) return undefined;
  return candidates.reduce((a, b) => (b.bits < a.bits ? b : a));
}

function estimateChars(chars: readonly string[], perChar: number): { bits: number; segments: Segment[] } {
  const n = chars.length;
  const cost: number[] = new Array<number>(n + 1).fill(Infinity);
  const back: { from: number; segment: Segment }[] = [];
  cost[0] = 0;
  for (let j = 1; j <= n; j++) {
    // One random character.
    cost[j] = cost[j - 1]! + perChar;
    back[j] = { from: j - 1, segment: { kind: 'random', bits: perChar } };
    for (let i = Math.max(0, j - 32); i <= j - 3; i++) {
      const seg = patternSegment(chars, i, j, perChar);
      if (seg && cost[i]! + seg.bits < cost[j]!) {
        cost[j] = cost[i]! + seg.bits;
        back[j] = { from: i, segment: seg };
      }
    }
  }
  const segments: Segment[] = [];
  for (let j = n; j > 0; j = back[j]!.from) segments.unshift(back[j]!.segment);
  return { bits: cost[n]!, segments };
}

function analyse(pin: string): { chars: string[]; bits: number; segments: Segment[] } {
  // Score exactly what is hashed: "١٢٣٤" is hashed (and guessed) as "1234".
  const chars = [...normalizePinString(pin)].slice(0, 256);
  if (chars.length === 0) return { chars, bits: 0, segments: [] };
  const perChar = Math.log2(poolSize(chars));
  const { bits, segments } = estimateChars(chars, perChar);
  return { chars, bits, segments };
}

/** Estimated entropy of a PIN in bits (0 for an empty PIN). */
export function estimatePinEntropy(pin: string): number {
  return Math.round(analyse(pin).bits * 10) / 10;
}

function crackSeconds(bits: number): number {
  return Math.pow(2, Math.max(0, bits - 1)) / OFFLINE_GUESSES_PER_SECOND;
}

/** Plain-language duration for warnings. */
function describeDuration(seconds: number): string {
  const units: [number, string][] = [
    [3.156e7, 'year'],
    [86_400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  if (seconds >= 3.156e7 * 1e6) return 'more than a million years';
  for (const [size, name] of units) {
    if (seconds >= size) {
      const n = Math.round(seconds / size);
      return `about ${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return 'less than a minute';
}

/** The strong-PIN verdict shown as the user types. */
export function checkPin(pin: string): PinCheck {
  const { chars, bits: rawBits, segments } = analyse(typeof pin === 'string' ? pin : '');
  const bits = Math.round(rawBits * 10) / 10;
  const reasons: string[] = [];
  const whole = chars.join('');
  const numeric = chars.length > 0 && isDigits(whole);
  const lower = whole.toLowerCase();
  let refused = false;

  if (chars.length === 0) {
    reasons.push('Enter a PIN.');
    refused = true;
  } else if (numeric && chars.length < MIN_NUMERIC_PIN_LENGTH) {
    reasons.push(`A numeric PIN needs at least ${MIN_NUMERIC_PIN_LENGTH} digits.`);
    refused = true;
  } else if (chars.length < MIN_PIN_LENGTH) {
    reasons.push(`A PIN needs at least ${MIN_PIN_LENGTH} characters.`);
    refused = true;
  }
  if (chars.length > 0 && (PIN_SET.has(whole) || WORD_SET.has(lower) || WORD_SET.has(deLeet(lower)))) {
    reasons.push('This is one of the most common PINs or passwords; attackers try it first.');
    refused = true;
  } else if (numeric && dateBits(whole) !== undefined) {
    reasons.push('This PIN reads as a date or a year; birthdays and years are guessed early.');
    refused = true;
  } else if (chars.length > 0 && segments.every((s) => s.kind !== 'random') && bits < STRONG_PIN_BITS) {
    const kinds = new Set(segments.map((s) => s.kind));
    const what: string[] = [];
    if (kinds.has('sequence')) what.push('a sequence');
    if (kinds.has('repeat')) what.push('repeated characters');
    if (kinds.has('walk')) what.push('a keyboard or keypad pattern');
    if (kinds.has('date')) what.push('a date');
    if (kinds.has('word') || kinds.has('common')) what.push('common words or PINs');
    reasons.push(`This PIN is only ${what.join(', ')}; such patterns are guessed early.`);
    refused = true;
  }

  const offlineCrackSeconds = crackSeconds(bits);
  if (!refused && bits < STRONG_PIN_BITS) {
    reasons.push(
      `Estimated strength ${bits.toFixed(0)} bits. Signal's servers allow only 10 guesses, but if the ` +
        `secure enclave that holds your key backup were ever broken, an attacker could guess offline ` +
        `without limit and would find this PIN in ${describeDuration(offlineCrackSeconds)}. ` +
        `Use at least ${STRONG_PIN_BITS} bits, e.g. the generated ${GENERATED_PIN_LENGTH}-character PIN.`,
    );
  }
  const verdict: PinVerdict = refused ? 'refused' : bits < STRONG_PIN_BITS ? 'weak-needs-confirmation' : 'ok';
  return { verdict, bits, reasons, offlineCrackSeconds };
}

/**
 * A random alphanumeric PIN (a–z, A–Z, 0–9) drawn with crypto.randomInt: 24 characters ≈ 142.9 bits.
 */
export function generateStrongPin(length: number = GENERATED_PIN_LENGTH): string {
  if (!Number.isInteger(length) || length < 20 || length > 256) {
    throw new RangeError('A generated PIN has 20 to 256 characters.');
  }
  let pin = '';
  for (let i = 0; i < length; i++) pin += GENERATOR_ALPHABET[randomInt(GENERATOR_ALPHABET.length)];
  return pin;
}

/** Entropy of a generated PIN of this length, exactly (log2 of the number of possible PINs). */
export function generatedPinBits(length: number = GENERATED_PIN_LENGTH): number {
  return length * Math.log2(GENERATOR_ALPHABET.length);
}

/**
 * Passphrase strength for the meter, in bits: log2 of zxcvbn's estimate of the guesses an attacker needs
 * (@zxcvbn-ts, Dropbox's estimator: dictionary words, names, keyboard patterns, sequences, repeats, dates,
 * l33t spellings). A guide for the user, not a proof. The dictionaries are large (several MB of source),
 * so they load on first use, as separate chunks (dynamic import), and never delay the first paint.
 */
type StrengthLabel = 'too weak' | 'weak' | 'fair' | 'strong' | 'very strong';

export function strengthLabel(bits: number): StrengthLabel {
  if (bits < 30) return 'too weak';
  if (bits < 50) return 'weak';
  if (bits < 70) return 'fair';
  if (bits < 100) return 'strong';
  return 'very strong';
}

/** The minimum the first-run screen accepts. */
export const MIN_PASSPHRASE_BITS = 50;

/**
 * Only this many leading characters are scored: zxcvbn's matching grows steeply with length on repetitive
 * input (256 characters of a repeated "abc1" take seconds), and the meter runs on every keystroke. 64
 * hard-to-guess characters are far beyond "very strong"; the cap can only under-rate a guessable start
 * followed by a strong tail, which is the safe direction.
 */
export const MAX_SCORED_CHARS = 64;
/** Bounds zxcvbn's l33t enumeration ("4", "@", "!" …), which is exponential in the substitutions. */
const MAX_L33T_SUBSTITUTIONS = 8;

/**
 * Passphrases too famous to be secret, which zxcvbn's dictionaries miss as phrases: the xkcd example
 * (zxcvbn rates it 65 bits as four common words) and this app's own names.
 */
const FAMOUS_PHRASES = [
  'correct horse battery staple',
  'correcthorsebatterystaple',
  'correct-horse-battery-staple',
  'carapace',
  'signal',
];

export type StrengthEstimator = (passphrase: string) => number;

/** Scored after every passphrase so the estimator's retained state never holds the passphrase. */
const SCRUB_INPUT = 'x';

let loading: Promise<StrengthEstimator> | undefined;

export function loadStrengthEstimator(): Promise<StrengthEstimator> {
  loading ??= createEstimator().catch((error: unknown) => {
    loading = undefined; // a later call may retry
    throw error;
  });
  return loading;
}

async function createEstimator(): Promise<StrengthEstimator> {
  const [{ ZxcvbnFactory }, common, en] = await Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
  ]);
  const zxcvbn = new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary, famous: FAMOUS_PHRASES },
    graphs: common.adjacencyGraphs,
    maxLength: MAX_SCORED_CHARS,
    l33tMaxSubstitutions: MAX_L33T_SUBSTITUTIONS,
  });
  return (passphrase) => {
    if (!passphrase) return 0;
    const bits = Math.round(zxcvbn.check(passphrase).guessesLog10 * Math.log2(10));
    // zxcvbn keeps its last matches (pieces of the passphrase) in module state until the next check:
    // found in the renderer's heap after lock by e2e/memory-wipe.spec.ts. A constant replaces them.
    zxcvbn.check(SCRUB_INPUT);
    return bits;
  };
}

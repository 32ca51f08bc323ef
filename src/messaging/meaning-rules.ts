/**
 * Signal's limits for what a message may become, platform-free: the contract (and so the UI) and the core
 * apply the same numbers. Values from Signal-Desktop (canEditMessage: DAY and MESSAGE_MAX_EDIT_COUNT;
 * deleteForEveryone: ONE_DAY between the server times of the message and its delete).
 */

/** The window for delete for everyone and for edits, on send and on receipt. */
export const MESSAGE_CHANGE_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Edits per message. */
export const MAX_EDITS = 10;
/** Characters of a quoted message's text that a quote carries (core-side cut). */
export const QUOTE_TEXT_MAX_CHARS = 500;

/**
 * One emoji, as a reaction carries it: a single grapheme that is a pictograph, a flag or a keycap. The one
 * rule for what we send and what we accept (a received reaction with anything else is ignored).
 */
export function isSingleEmoji(value: string): boolean {
  if (value.length === 0 || value.length > 32) return false;
  const graphemes = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(value)];
  return graphemes.length === 1 && /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u.test(value);
}

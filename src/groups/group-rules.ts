/**
 * Group rules the core and the UI share (platform-free, re-exported by the contract): the kinds of
 * change a group's timeline shows, and Signal's title limit.
 */
import { ValidationError } from '../errors.js';

export const GROUP_CHANGE_KINDS = [
  'created',
  'added',
  'invited',
  'joined',
  'left',
  'removed',
  'declined',
  'title',
  'timer',
  'role',
  'description',
  'access',
] as const;
export type GroupChangeKind = (typeof GROUP_CHANGE_KINDS)[number];

/** Signal's limit for a group title, in characters (code points). */
export const GROUP_TITLE_MAX_CHARS = 32;

/** A title as Signal takes it: trimmed, 1–32 characters (ValidationError otherwise). */
export function checkedGroupTitle(title: string): string {
  const trimmed = title.trim();
  if (trimmed.length === 0) throw new ValidationError('A group needs a title.');
  if ([...trimmed].length > GROUP_TITLE_MAX_CHARS) {
    throw new ValidationError(`A group title has at most ${GROUP_TITLE_MAX_CHARS} characters.`);
  }
  return trimmed;
}

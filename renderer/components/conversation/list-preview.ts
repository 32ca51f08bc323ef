import type { Conversation } from '../../../src/api/contract.js';

/**
 * A chat's preview line in the list: "Safety number changed", else its last message — in a group with who
 * wrote it in front ("Alice: …", "You: …"), as Signal shows it.
 */
export function listPreview(c: Conversation): string {
  if (c.safetyNumberChanged) return 'Safety number changed';
  const preview = c.lastMessagePreview ?? '';
  const author = c.group?.lastAuthor;
  if (!author || !preview) return preview;
  return `${author.isYou ? 'You' : author.name}: ${preview}`;
}

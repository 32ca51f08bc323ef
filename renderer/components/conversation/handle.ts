import type { Conversation } from '../../../src/api/contract.js';

/** The chat header's muted second line: number and/or username, each left out where it already is the title. */
export function contactHandle(conversation: Pick<Conversation, 'title' | 'e164' | 'username'>): string {
  return [conversation.e164, conversation.username]
    .filter((part): part is string => part !== undefined && part !== '' && part !== conversation.title)
    .join(' · ');
}

import { describe, expect, it } from 'vitest';
import {
  ConversationSchema,
  type Conversation,
  type Quote,
  type ReactionGroup,
} from '../../../src/api/contract.js';
import { listPreview } from './list-preview.js';
import { quoteParts } from './QuoteBlock.js';
import { reactorNames } from './Reactions.js';

function conversation(fields: Partial<Conversation> = {}): Conversation {
  return ConversationSchema.parse({
    id: 'c1',
    title: 'Gardeners',
    serviceId: null,
    unreadCount: 0,
    lastMessageAt: null,
    lastMessagePreview: 'see you there',
    expireTimerSeconds: null,
    safetyNumberChanged: false,
    verified: 'default',
    blocked: false,
    isRequest: false,
    isContact: false,
    ...fields,
  });
}

const quote = (fields: Partial<Quote>): Pick<Quote, 'authorIsYou' | 'text' | 'attachment' | 'author'> => ({
  authorIsYou: false,
  text: 'the original',
  attachment: null,
  ...fields,
});

describe('people in groups, as the renderer names them', () => {
  it('the list puts who wrote last before a group preview; a 1:1 chat and an event have none', () => {
    const group = (lastAuthor?: { name: string; isYou: boolean }) =>
      conversation({
        group: { memberCount: 3, membership: 'member', ...(lastAuthor ? { lastAuthor } : {}) },
      });
    expect(listPreview(group({ name: 'Alice', isYou: false }))).toBe('Alice: see you there');
    expect(listPreview(group({ name: 'You', isYou: true }))).toBe('You: see you there');
    expect(listPreview(group())).toBe('see you there');
    expect(listPreview(conversation({ title: 'Dana', isContact: true }))).toBe('see you there');
    expect(listPreview(conversation({ safetyNumberChanged: true }))).toBe('Safety number changed');
    expect(listPreview(conversation({ lastMessagePreview: null }))).toBe('');
  });

  it('a quote names the quoted member in a group, the contact in a 1:1 chat, "You" for ours', () => {
    expect(quoteParts(quote({ author: { serviceId: 'a', name: 'Alice' } }), 'Gardeners').author).toBe(
      'Alice',
    );
    expect(quoteParts(quote({}), 'Dana').author).toBe('Dana');
    expect(quoteParts(quote({ authorIsYou: true }), 'Dana').author).toBe('You');
  });

  it('reactors are named one by one in a group', () => {
    const reactions: ReactionGroup = {
      emoji: '👍',
      count: 3,
      includesYou: true,
      reactors: [
        { fromYou: false, reactedAt: 1, person: { serviceId: 'a', name: 'Alice' } },
        { fromYou: true, reactedAt: 2, person: { serviceId: 'u', name: 'You' } },
        { fromYou: false, reactedAt: 3, person: { serviceId: 'b', name: 'Bob' } },
      ],
    };
    expect(reactorNames(reactions, 'Gardeners')).toBe('Alice and you and Bob');
    const direct: ReactionGroup = { ...reactions, count: 1, reactors: [{ fromYou: false, reactedAt: 1 }] };
    expect(reactorNames(direct, 'Dana')).toBe('Dana');
  });
});

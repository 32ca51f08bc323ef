/**
 * The conversation list's newest entry per conversation comes from `last_message_seq` (no per-conversation
 * index read): it must follow every way the timeline changes — incoming, outgoing, events, expiry, a
 * message deleted for me — exactly as MAX(seq) over the conversation's messages would. Real SQLCipher vault.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestVault, type TestVault } from '../test-support/vault.js';
import { MessageStore } from './store.js';

const ALICE = '8f0c1a2e-1111-4c4c-9a9a-0123456789ab';
const BOB = '9f0c1a2e-2222-4c4c-9a9a-0123456789ab';
const ME = '11111111-2222-4333-8444-555555555555';

describe('conversation summaries (the list)', () => {
  let temp: TestVault;
  let now: number;
  let store: MessageStore;

  beforeEach(async () => {
    temp = await createTestVault();
    now = 1_700_000_000_000;
    store = new MessageStore(temp.db, { clock: () => now });
  });
  afterEach(() => temp.dispose());

  /** What the list shows as each conversation's newest entry, against MAX(seq) computed directly. */
  function newestBodies(): Record<string, string | null> {
    const out: Record<string, string | null> = {};
    for (const summary of store.listConversationSummaries()) {
      const direct = temp.db
        .prepare(
          `SELECT body FROM messages WHERE seq = (SELECT MAX(seq) FROM messages WHERE conversation_id = ?)`,
        )
        .get(summary.id) as { body: string | null } | undefined;
      expect(summary.lastMessage?.body ?? null).toBe(direct?.body ?? null);
      out[summary.serviceId] = summary.lastMessage ? summary.lastMessage.body : null;
    }
    return out;
  }

  it('follows incoming, outgoing, events, expiry and a delete-for-me', () => {
    const alice = store.getOrCreateConversation(ALICE, { isContact: true });
    const bob = store.getOrCreateConversation(BOB, { isContact: true });
    expect(newestBodies()).toEqual({ [ALICE]: null, [BOB]: null });

    store.insertIncoming({
      conversationId: alice.id,
      sourceServiceId: ALICE,
      sourceDevice: 1,
      sentAt: 1,
      body: 'a1',
    });
    now += 1000;
    const expiring = store.insertOutgoing({
      conversationId: alice.id,
      sourceServiceId: ME,
      sourceDevice: 1,
      sentAt: now,
      body: 'a2 disappears',
      expireTimerSeconds: 5,
    });
    store.insertIncoming({
      conversationId: bob.id,
      sourceServiceId: BOB,
      sourceDevice: 1,
      sentAt: 2,
      body: 'b1',
    });
    expect(newestBodies()).toEqual({ [ALICE]: 'a2 disappears', [BOB]: 'b1' });

    store.addEvent(bob.id, 'identity-changed', { wasVerified: false });
    expect(newestBodies()).toEqual({ [ALICE]: 'a2 disappears', [BOB]: null }); // an event holds no body

    now += 10_000;
    expect(store.deleteExpired()).toBe(1);
    expect(store.getMessage(expiring.id)).toBeUndefined();
    expect(newestBodies()).toEqual({ [ALICE]: 'a1', [BOB]: null });

    const [a1] = store.page(alice.id).messages;
    temp.db.prepare('DELETE FROM messages WHERE id = ?').run(a1!.id);
    store.removed({ id: a1!.id, conversationId: alice.id });
    expect(newestBodies()).toEqual({ [ALICE]: null, [BOB]: null });
  });
});

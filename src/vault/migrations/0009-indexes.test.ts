/**
 * Migration 0009 on a real SQLCipher vault: the message count of a conversation (what a page's `total`
 * says) is answered from an index alone, not by reading every message row. Asserted on the query plan
 * and the result, never on timing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageStore } from '../../messaging/store.js';
import { createTestVault, type TestVault } from '../../test-support/vault.js';
import { MIGRATIONS } from './index.js';

const ALICE = '8f0c1a2e-1111-4c4c-9a9a-0123456789ab';
const COUNT_SQL = `SELECT COUNT(*) AS n FROM messages WHERE conversation_id = ? AND kind = 'message'`;

describe('migration 0009 (indexes)', () => {
  let temp: TestVault;
  beforeEach(async () => {
    temp = await createTestVault();
  });
  afterEach(() => temp.dispose());

  const plan = (): string =>
    (temp.db.prepare(`EXPLAIN QUERY PLAN ${COUNT_SQL}`).all('x') as Array<{ detail: string }>)
      .map((row) => row.detail)
      .join('; ');

  it('is registered after 0008', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(MIGRATIONS[8]?.name).toBe('indexes');
  });

  it('counts a conversation’s messages from the (conversation_id, kind) index only', () => {
    expect(plan()).toContain('USING COVERING INDEX messages_conversation_kind');

    const store = new MessageStore(temp.db);
    const conversation = store.getOrCreateConversation(ALICE, { isContact: true });
    for (let i = 0; i < 5; i += 1) {
      store.insertIncoming({
        conversationId: conversation.id,
        sourceServiceId: ALICE,
        sourceDevice: 1,
        sentAt: i + 1,
        body: `m${i}`,
      });
    }
    store.addEvent(conversation.id, 'identity-changed', { wasVerified: false });
    expect(store.countMessages(conversation.id)).toBe(5);
  });
});

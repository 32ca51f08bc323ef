/**
 * The storage rules of ./meaning.ts on a real vault (SQLCipher): one reaction per person, reactions and
 * quotes leave with their message when its timer runs out, early deletes are bounded and expire, the page
 * cursors in both directions.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestVault, type TestVault } from '../test-support/vault.js';
import { MessageMeaning } from './meaning.js';
import { MessageStore } from './store.js';

const ALICE = '8f0c1a2e-1111-4c4c-9a9a-0123456789ab';
const ME = '11111111-2222-4333-8444-555555555555';
const HOUR = 3_600_000;

describe('MessageMeaning on a real vault', () => {
  let temp: TestVault;
  let now: number;
  let store: MessageStore;
  let meaning: MessageMeaning;
  let conversationId: string;

  beforeEach(async () => {
    temp = await createTestVault();
    now = 1_700_000_000_000;
    store = new MessageStore(temp.db, { clock: () => now });
    meaning = new MessageMeaning(temp.db, store, undefined, undefined);
    conversationId = store.getOrCreateConversation(ALICE, { isContact: true }).id;
  });
  afterEach(() => temp.dispose());

  function incoming(sentAt: number, extra: { expireTimerSeconds?: number } = {}) {
    return store.insertIncoming({
      conversationId,
      sourceServiceId: ALICE,
      sourceDevice: 1,
      sentAt,
      body: `text ${sentAt}`,
      ...extra,
    }).message!;
  }

  it('keeps one reaction per person, and the reactions and quote go when the message disappears', () => {
    const target = incoming(1, { expireTimerSeconds: 60 });
    for (const emoji of ['👍', '😂', '🔥']) meaning.react(target.id, ALICE, emoji, now);
    meaning.react(target.id, ME, '❤️', now);
    const reactions = store.getMessage(target.id)?.reactions.map((r) => `${r.emoji} ${r.fromYou}`);
    expect(reactions?.sort()).toEqual(['❤️ true', '🔥 false'].sort());
    const reply = store.insertOutgoing({
      conversationId,
      sourceServiceId: ME,
      sourceDevice: 1,
      sentAt: 2,
      body: 'reply',
      quote: { authorServiceId: ALICE, sentAt: 1, text: 'text 1', attachment: null },
    });
    expect(store.getMessage(reply.id)?.quote).toMatchObject({ foundId: target.id, authorIsYou: false });

    store.markRead(conversationId);
    now += 61_000;
    expect(store.deleteExpired()).toBe(1);
    const rows = temp.db.prepare('SELECT COUNT(*) AS n FROM message_reactions').get() as { n: number };
    expect(rows.n).toBe(0);
    expect(store.getMessage(reply.id)?.quote).toMatchObject({ foundId: null }); // "original not found"
  });

  it('remembers at most 1,000 early deletes, for 48 hours', () => {
    for (let i = 0; i < 1_005; i += 1) meaning.rememberDelete(conversationId, ALICE, 10_000 + i, now + i);
    const count = (): number =>
      (temp.db.prepare('SELECT COUNT(*) AS n FROM pending_remote_deletes').get() as { n: number }).n;
    expect(count()).toBe(1_000);
    expect(meaning.takePendingDelete(ALICE, 10_000, now)).toBe(false); // the oldest gave way
    expect(meaning.takePendingDelete(ALICE, 11_004, now)).toBe(true);
    expect(meaning.takePendingDelete(ALICE, 11_004, now)).toBe(false); // used once
    expect(meaning.takePendingDelete(ALICE, 11_003, now + 49 * HOUR)).toBe(false); // expired
    meaning.rememberDelete(conversationId, ALICE, 1, now + 49 * HOUR); // sweeps the expired ones
    expect(count()).toBe(1);
  });

  it('pages newer from a cursor (after), with cursors both ways', () => {
    const ids = Array.from({ length: 10 }, (_, i) => incoming(100 + i).id);
    const middle = store.getMessage(ids[4]!)!;
    const newer = store.page(conversationId, { after: String(middle.seq), limit: 3 });
    expect(newer.messages.map((m) => m.sentAt)).toEqual([107, 106, 105]);
    expect(newer.newerCursor).not.toBeNull();
    expect(newer.nextCursor).toBe(String(middle.seq + 1));
    const last = store.page(conversationId, { after: newer.newerCursor, limit: 3 });
    expect(last.messages.map((m) => m.sentAt)).toEqual([109, 108]);
    expect(last.newerCursor).toBeNull();
    const older = store.page(conversationId, { before: String(middle.seq), limit: 2 });
    expect(older.newerCursor).toBe(String(older.messages[0]!.seq));
    expect(store.page(conversationId).newerCursor).toBeNull();
  });
});

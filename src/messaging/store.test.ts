import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../errors.js';
import { envelopeDeliveryKey } from './delivery-key.js';
import { MessageStore, type Message } from './store.js';
import { createTestVault, type TestVault } from '../test-support/vault.js';

const ALICE = '8f0c1a2e-1111-4c4c-9a9a-0123456789ab';
const ME = '11111111-2222-4333-8444-555555555555';

describe('MessageStore on a real vault (SQLCipher)', () => {
  let temp: TestVault;
  let now: number;
  let store: MessageStore;

  beforeEach(async () => {
    temp = await createTestVault();
    now = 1_700_000_000_000;
    store = new MessageStore(temp.db, { clock: () => now });
  });
  afterEach(() => temp.dispose());

  it('stores an incoming message once per (source, device, timestamp)', () => {
    const c = store.getOrCreateConversation(ALICE, { profileName: 'Alice', isContact: true });
    const first = store.insertIncoming({
      conversationId: c.id,
      sourceServiceId: ALICE,
      sourceDevice: 1,
      sentAt: 42,
      deliveryKey: 'g1',
      body: 'hello',
    });
    expect(first.inserted).toBe(true);
    const again = store.insertIncoming({
      conversationId: c.id,
      sourceServiceId: ALICE,
      sourceDevice: 1,
      sentAt: 42,
      deliveryKey: 'g2',
      body: 'hello',
    });
    expect(again.inserted).toBe(false);
    const sameGuid = store.insertIncoming({
      conversationId: c.id,
      sourceServiceId: ALICE,
      sourceDevice: 2,
      sentAt: 43,
      deliveryKey: 'g1',
      body: 'x',
    });
    expect(sameGuid.inserted).toBe(false);
    expect(store.countMessages(c.id)).toBe(1);
    expect(store.getConversation(c.id)?.unreadCount).toBe(1);
    expect(store.hasDeliveryKey('g1')).toBe(true);
    expect(store.hasIncoming(ALICE, 1, 42)).toBe(true);
  });

  it('recognises a re-delivery by its delivery key', () => {
    const c = store.getOrCreateConversation(ALICE);
    const key = envelopeDeliveryKey({
      serverGuid: '6f1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b',
      serverTimestamp: 1_700_000_000_123,
    });
    if (!key) throw new Error('no key');
    expect(store.hasDeliveryKey(key)).toBe(false);
    store.insertIncoming({
      conversationId: c.id,
      sourceServiceId: ALICE,
      sourceDevice: 1,
      sentAt: 1,
      deliveryKey: key,
      body: 'a',
    });
    expect(store.hasDeliveryKey(key)).toBe(true);
    // The same GUID at another server time is another envelope.
    expect(store.hasDeliveryKey(key.replace(/^[0-9a-f]{12}/, '018bcfe5687c'))).toBe(false);
  });

  it('gives messages ids that sort in the order they were stored (index inserts at the end)', () => {
    const c = store.getOrCreateConversation(ALICE);
    const stored: Message[] = [];
    for (let i = 0; i < 300; i += 1) {
      now += i % 3; // several in the same millisecond, as a batch is
      const { message } = store.insertIncoming({
        conversationId: c.id,
        sourceServiceId: ALICE,
        sourceDevice: 1,
        sentAt: i,
        body: 'x',
      });
      if (message) stored.push(message);
      const event = store.addEvent(c.id, 'timer-changed', { seconds: i });
      if (event) stored.push(event);
      stored.push(
        store.insertOutgoing({
          conversationId: c.id,
          sourceServiceId: ME,
          sourceDevice: 1,
          sentAt: i,
          body: 'y',
        }),
      );
    }
    const byMillisecond = stored.map((m) => m.id.slice(0, 13));
    expect(byMillisecond).toEqual([...byMillisecond].sort());
    expect(new Set(stored.map((m) => m.id)).size).toBe(stored.length);
  });

  it('pages newest first with cursors, 50 rows a page, across 10,000 messages', () => {
    const c = store.getOrCreateConversation(ALICE);
    store.transaction(() => {
      for (let i = 0; i < 10_000; i += 1) {
        store.insertIncoming({
          conversationId: c.id,
          sourceServiceId: ALICE,
          sourceDevice: 1,
          sentAt: 1000 + i,
          body: `m${i}`,
        });
      }
    });
    const seen: Message[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = store.page(c.id, { before: cursor });
      expect(page.messages.length).toBeLessThanOrEqual(50);
      seen.push(...page.messages);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(200);
    expect(seen).toHaveLength(10_000);
    expect(seen[0]?.body).toBe('m9999');
    expect(seen[9_999]?.body).toBe('m0');
    // strictly descending, no duplicates
    for (let i = 1; i < seen.length; i += 1) expect(seen[i]!.seq).toBeLessThan(seen[i - 1]!.seq);
    // the page query uses the index, not a scan + sort
    const plan = temp.db
      .prepare(
        'EXPLAIN QUERY PLAN SELECT * FROM messages WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
      )
      .all(c.id, 1e9, 51) as Array<{ detail: string }>;
    const details = plan.map((p) => p.detail).join(' | ');
    expect(details).toMatch(/messages_page/);
    expect(details).not.toMatch(/TEMP B-TREE/);
    expect(() => store.page(c.id, { before: 'DROP TABLE' })).toThrow(ValidationError);
  });

  it('applies receipts forward only and emits message.updated', () => {
    const c = store.getOrCreateConversation(ALICE);
    const out = store.insertOutgoing({
      conversationId: c.id,
      sourceServiceId: ME,
      sourceDevice: 1,
      sentAt: 500,
      body: 'hi',
      status: 'sent',
    });
    const updates: string[] = [];
    store.on('message.updated', (m) => updates.push(`${m.id}:${m.status}`));
    expect(store.applyReceipt(ALICE, 'read', [500])).toHaveLength(1);
    expect(store.applyReceipt(ALICE, 'delivery', [500])).toHaveLength(0);
    expect(store.getMessage(out.id)?.status).toBe('read');
    expect(updates).toEqual([`${out.id}:read`]);
    // a receipt from someone else does not touch it
    expect(store.applyReceipt('99999999-2222-4333-8444-555555555555', 'viewed', [500])).toHaveLength(0);
  });

  it('mark read starts disappearing timers; deleteExpired removes exactly the expired rows', () => {
    const c = store.getOrCreateConversation(ALICE);
    store.updateConversation(c.id, { expireTimerSeconds: 30 });
    const m1 = store.insertIncoming({
      conversationId: c.id,
      sourceServiceId: ALICE,
      sourceDevice: 1,
      sentAt: 1,
      body: 'vanishing',
      expireTimerSeconds: 30,
    }).message!;
    const m2 = store.insertIncoming({
      conversationId: c.id,
      sourceServiceId: ALICE,
      sourceDevice: 1,
      sentAt: 2,
      body: 'stays',
    }).message!;
    expect(m1.expiresAt).toBeNull(); // countdown starts on read, not on arrival
    const out = store.insertOutgoing({
      conversationId: c.id,
      sourceServiceId: ME,
      sourceDevice: 1,
      sentAt: now,
      body: 'mine',
      expireTimerSeconds: 60,
    });
    expect(out.expiresAt).toBe(now + 60_000);
    const read = store.markRead(c.id);
    expect(read.newlyRead.map((m) => m.id)).toEqual([m1.id, m2.id]);
    expect(store.getMessage(m1.id)?.expiresAt).toBe(now + 30_000);
    expect(store.getConversation(c.id)?.unreadCount).toBe(0);
    expect(store.markRead(c.id).newlyRead).toHaveLength(0);
    expect(store.nextExpiry()).toBe(now + 30_000);
    expect(store.deleteExpired(now + 29_999)).toBe(0);
    expect(store.deleteExpired(now + 30_000)).toBe(1);
    expect(store.getMessage(m1.id)).toBeUndefined();
    expect(store.getMessage(m2.id)).toBeDefined();
    expect(store.deleteExpired(now + 60_000)).toBe(1);
    expect(store.getConversation(c.id)?.lastMessageSeq).toBe(m2.seq);
  });

  it('timeline events, view-once, validation errors', () => {
    const c = store.getOrCreateConversation(ALICE);
    const ev = store.addEvent(c.id, 'identity-changed', { serviceId: ALICE });
    expect(ev?.kind).toBe('event');
    expect(ev?.eventData).toEqual({ serviceId: ALICE });
    expect(store.addEvent(c.id, 'decryption-failed', {}, { deliveryKey: 'bad-1' })).toBeDefined();
    expect(store.addEvent(c.id, 'decryption-failed', {}, { deliveryKey: 'bad-1' })).toBeUndefined();
    const vo = store.insertIncoming({
      conversationId: c.id,
      sourceServiceId: ALICE,
      sourceDevice: 1,
      sentAt: 9,
      body: 'once',
      viewOnce: true,
    }).message!;
    const viewed = store.markViewed(vo.id);
    expect(viewed.viewed).toBe(true);
    expect(viewed.body).toBeNull();
    expect(() => store.updateConversation(c.id, { expireTimerSeconds: -5 })).toThrow(ValidationError);
    expect(() => store.updateConversation('nope', { blocked: true })).toThrow(NotFoundError);
    expect(() => store.setProfileKey(c.id, new Uint8Array(5))).toThrow(ValidationError);
  });

  it('events inside a rolled-back transaction are never delivered', () => {
    const c = store.getOrCreateConversation(ALICE);
    const added: string[] = [];
    store.on('message.added', (m) => added.push(m.id));
    expect(() =>
      store.transaction(() => {
        store.insertIncoming({
          conversationId: c.id,
          sourceServiceId: ALICE,
          sourceDevice: 1,
          sentAt: 7,
          body: 'a',
        });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(added).toEqual([]);
    expect(store.countMessages(c.id)).toBe(0);
    store.transaction(() => {
      store.insertIncoming({
        conversationId: c.id,
        sourceServiceId: ALICE,
        sourceDevice: 1,
        sentAt: 7,
        body: 'a',
      });
      expect(added).toEqual([]); // not before commit
    });
    expect(added).toHaveLength(1);
  });

  it('announces a chat once per transaction, after the messages, with the row as committed', () => {
    const alice = store.getOrCreateConversation(ALICE);
    const other = store.getOrCreateConversation(ME);
    const seen: string[] = [];
    store.on('message.added', (m) => seen.push(`added ${m.body ?? ''}`));
    store.on('conversation.updated', (c) =>
      seen.push(`${c.id === alice.id ? 'alice' : 'other'} unread ${c.unreadCount}`),
    );
    store.transaction(() => {
      for (const [i, body] of ['a', 'b', 'c'].entries()) {
        store.insertIncoming({
          conversationId: alice.id,
          sourceServiceId: ALICE,
          sourceDevice: 1,
          sentAt: 100 + i,
          body,
        });
      }
      store.insertIncoming({
        conversationId: other.id,
        sourceServiceId: ME,
        sourceDevice: 1,
        sentAt: 9,
        body: 'd',
      });
    });
    expect(seen).toEqual(['added a', 'added b', 'added c', 'alice unread 3', 'added d', 'other unread 1']);
  });
  it('survives reopen and keeps bodies out of every profile file in plaintext', async () => {
    const c = store.getOrCreateConversation(ALICE);
    store.insertIncoming({
      conversationId: c.id,
      sourceServiceId: ALICE,
      sourceDevice: 1,
      sentAt: 1,
      body: 'MARKER-plaintext-body-7f3a',
    });
    const db = await temp.reopen();
    const reopened = new MessageStore(db);
    expect(reopened.page(c.id).messages[0]?.body).toBe('MARKER-plaintext-body-7f3a');
    // Every file of the profile (DB, -wal, -shm, header), open and after lock: no plaintext body.
    const scan = (): string[] =>
      readdirSync(temp.dir)
        .map((name) => join(temp.dir, name))
        .filter(
          (path) => statSync(path).isFile() && readFileSync(path).includes('MARKER-plaintext-body-7f3a'),
        );
    expect(scan()).toEqual([]);
    temp.vault.lock('user');
    expect(scan()).toEqual([]);
  });
});

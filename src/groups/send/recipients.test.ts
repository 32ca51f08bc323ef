import { afterEach, describe, expect, it } from 'vitest';
import { MessageStore } from '../../messaging/store.js';
import { createTestDb, type TestDb } from '../../test-support/db.js';
import { MessageRecipients } from './recipients.js';

const ALICE = '00000000-0000-4000-8000-00000000000a';
const BOB = '00000000-0000-4000-8000-00000000000b';

describe('MessageRecipients.record', () => {
  let testDb: TestDb | undefined;
  afterEach(() => testDb?.dispose());

  it("writes a send's member rows in one transaction: all of them or none", () => {
    testDb = createTestDb();
    const store = new MessageStore(testDb.db);
    const conversation = store.getOrCreateConversation('group:AAAA');
    const message = store.insertOutgoing({
      conversationId: conversation.id,
      sourceServiceId: ALICE,
      sourceDevice: 1,
      sentAt: 1000,
      body: 'hello',
      expireTimerSeconds: null,
      status: 'pending',
    });
    const recipients = new MessageRecipients(testDb.db, () => 2000);
    // A status the table refuses (CHECK) for the second member: the first member's row must not stay.
    const broken = new Map([
      [ALICE, 'sent'],
      [BOB, 'lost'],
    ]) as unknown as Map<string, 'sent' | 'failed'>;
    expect(() => recipients.record(conversation.id, 1000, broken)).toThrow();
    expect(recipients.list(message.id)).toEqual([]);

    recipients.record(
      conversation.id,
      1000,
      new Map([
        [ALICE, 'sent'],
        [BOB, 'failed'],
      ]),
    );
    expect(recipients.list(message.id)).toEqual([
      { serviceId: ALICE, status: 'sent' },
      { serviceId: BOB, status: 'failed' },
    ]);
  });
});

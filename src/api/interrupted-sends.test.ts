/**
 * A send still running when the vault closed (a lock, a crash, kill -9) can never finish: at the next unlock,
 * before anything is shown, it reads "failed" — with Send again — instead of "sending" for ever. Nothing
 * is sent on its own. Real vault (SQLCipher) and core; no network.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MessageStore } from '../messaging/store.js';
import { TEST_KDF } from '../test-support/vault.js';
import { Vault } from '../vault/index.js';
import { createTestCore, type TestCore } from './test-support/core.js';
import { value } from './test-support/events.js';

const PASS = 'interrupted sends passphrase 9';
const CONTACT = '5a1f3c2e-8d4b-4e6a-9c0f-1b2d3e4f5a6b';

let core: TestCore | undefined;
afterEach(async () => {
  await core?.dispose();
  core = undefined;
});

describe('sends the vault closed under', () => {
  it('are failed at the next unlock, through the pending-sends index; the others keep their state', async () => {
    core = createTestCore();
    const { service } = core;
    await value(service.call('vault.create', { passphrase: PASS }));
    await value(service.call('vault.lock', {}));

    // What a lock or kill -9 in the middle of two sends leaves: rows still "pending".
    const vault = new Vault(core.profile.dir, { kdf: TEST_KDF });
    await vault.unlock(Buffer.from(PASS, 'utf8'));
    const store = new MessageStore(vault.db);
    const chat = store.getOrCreateConversation(CONTACT, { profileName: 'Dana', isContact: true });
    const outgoing = (body: string, status: 'pending' | 'sent', sentAt: number) =>
      store.insertOutgoing({
        conversationId: chat.id,
        sourceServiceId: CONTACT,
        sourceDevice: 1,
        sentAt,
        body,
        status,
      }).id;
    const ids = {
      cut: outgoing('cut off', 'pending', 1_000),
      alsoCut: outgoing('also cut off', 'pending', 2_000),
      sent: outgoing('went out', 'sent', 3_000),
    };
    const plan = vault.db
      .prepare(
        `EXPLAIN QUERY PLAN UPDATE messages SET status = 'failed' WHERE status = 'pending' AND direction = 'out'`,
      )
      .all() as { detail: string }[];
    expect(plan.map((row) => row.detail).join(' ')).toContain('messages_pending_sends');
    vault.lock('shutdown');

    await value(service.call('vault.unlock', { passphrase: PASS }));
    const page = await value(service.call('messages.page', { conversationId: chat.id }));
    const status = Object.fromEntries(page.messages.map((m) => [m.id, m.status]));
    expect(status).toEqual({ [ids.cut]: 'failed', [ids.alsoCut]: 'failed', [ids.sent]: 'sent' });
  });
});

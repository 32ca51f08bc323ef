/**
 * Message.author through the contract (issue 15): set for incoming messages in a group conversation, named
 * as the member's own chat is titled (profile name, else number, else "Unknown contact"), and for a group's
 * identity-changed event (the member whose safety number changed); null for ours and in 1:1 chats.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { groupConversationServiceId } from '../groups/group-store.js';
import { MessageStore } from '../messaging/store.js';
import { TEST_KDF } from '../test-support/vault.js';
import { Vault } from '../vault/index.js';
import { createTestCore, type TestCore } from './test-support/core.js';

const PASS = 'message author passphrase 4';
const T0 = 1_700_000_000_000;

describe('Message.author', () => {
  let core: TestCore;

  beforeEach(() => {
    core = createTestCore();
  });
  afterEach(async () => {
    await core.dispose();
  });

  it('names the author of incoming group messages as their chat is titled; null for ours and in 1:1 chats', async () => {
    const vault = new Vault(core.profile.dir, { kdf: TEST_KDF });
    await vault.create(Buffer.from(PASS));
    const store = new MessageStore(vault.db, { clock: () => T0 });
    store.getOrCreateConversation('aci-alice', { profileName: 'Alice' });
    store.getOrCreateConversation('aci-carol', { e164: '+15550001111' });
    const direct = store.getOrCreateConversation('aci-dave', { profileName: 'Dave' });
    const group = store.getOrCreateConversation(groupConversationServiceId('Z3JvdXA='), {
      profileName: 'Climbing club',
    });
    const incoming = (conversationId: string, serviceId: string, t: number, body: string) =>
      store.insertIncoming({
        conversationId,
        sourceServiceId: serviceId,
        sourceDevice: 1,
        sentAt: T0 + t,
        body,
      });
    incoming(group.id, 'aci-alice', 1, 'from Alice');
    incoming(group.id, 'aci-carol', 2, 'from Carol');
    incoming(group.id, 'aci-bob', 3, 'from a member we have no chat with');
    store.insertOutgoing({
      conversationId: group.id,
      sourceServiceId: 'aci-self',
      sourceDevice: 1,
      sentAt: T0 + 4,
      body: 'ours',
    });
    store.addEvent(group.id, 'identity-changed', { wasVerified: false, serviceId: 'aci-alice' });
    incoming(direct.id, 'aci-dave', 5, 'a 1:1 message');
    vault.lock('shutdown');

    const { service } = core;
    expect(await service.call('vault.unlock', { passphrase: PASS })).toEqual({ ok: true, value: {} });
    const page = async (conversationId: string) => {
      const result = await service.call('messages.page', { conversationId });
      if (!result.ok) throw new Error(result.error.code);
      return result.value.messages.map((m) => [m.kind, m.body, m.author]);
    };
    expect(await page(group.id)).toEqual([
      ['identity-changed', '', { serviceId: 'aci-alice', name: 'Alice' }],
      ['text', 'ours', null],
      ['text', 'from a member we have no chat with', { serviceId: 'aci-bob', name: 'Unknown contact' }],
      ['text', 'from Carol', { serviceId: 'aci-carol', name: '+15550001111' }],
      ['text', 'from Alice', { serviceId: 'aci-alice', name: 'Alice' }],
    ]);
    expect(await page(direct.id)).toEqual([['text', 'a 1:1 message', null]]);
  });
});

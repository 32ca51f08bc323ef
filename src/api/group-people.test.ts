/**
 * Issue 15: in a group, a quote names the quoted author and each reaction its reactor (Message.quote.author,
 * reactors[].person, named as Message.author is); in a 1:1 chat neither is set (the chat's title says who).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { groupConversationServiceId } from '../groups/group-store.js';
import { MessageMeaning } from '../messaging/meaning.js';
import { MessageStore } from '../messaging/store.js';
import { TEST_KDF } from '../test-support/vault.js';
import { Vault } from '../vault/index.js';
import { createTestCore, type TestCore } from './test-support/core.js';

const PASS = 'group people passphrase 15';
const T0 = 1_700_000_000_000;

describe('quote authors and reactors in groups', () => {
  let core: TestCore;

  beforeEach(() => {
    core = createTestCore();
  });
  afterEach(async () => {
    await core.dispose();
  });

  it('names the quoted author and each reactor in a group; neither in a 1:1 chat', async () => {
    const vault = new Vault(core.profile.dir, { kdf: TEST_KDF });
    await vault.create(Buffer.from(PASS));
    const store = new MessageStore(vault.db, { clock: () => T0 });
    const meaning = new MessageMeaning(vault.db, store, undefined, undefined);
    store.getOrCreateConversation('aci-alice', { profileName: 'Alice' });
    const direct = store.getOrCreateConversation('aci-carol', { profileName: 'Carol' });
    const group = store.getOrCreateConversation(groupConversationServiceId('Z3JvdXA='), {
      profileName: 'Climbing club',
    });
    const quoting = (conversationId: string, from: string, quoted: string, t: number) =>
      store.insertIncoming({
        conversationId,
        sourceServiceId: from,
        sourceDevice: 1,
        sentAt: T0 + t,
        body: 'a reply',
        quote: { authorServiceId: quoted, sentAt: T0 + 1, text: 'the original', attachment: null },
      }).message!;
    const inGroup = quoting(group.id, 'aci-carol', 'aci-alice', 2);
    meaning.react(inGroup.id, 'aci-alice', '👍', T0 + 3);
    meaning.react(inGroup.id, 'aci-bob', '👍', T0 + 4);
    const inChat = quoting(direct.id, 'aci-carol', 'aci-carol', 5);
    meaning.react(inChat.id, 'aci-carol', '👍', T0 + 3);
    vault.lock('shutdown');

    const { service } = core;
    expect(await service.call('vault.unlock', { passphrase: PASS })).toEqual({ ok: true, value: {} });
    const newest = async (conversationId: string) => {
      const result = await service.call('messages.page', { conversationId });
      if (!result.ok) throw new Error(result.error.code);
      return result.value.messages[0]!;
    };
    const groupMessage = await newest(group.id);
    expect(groupMessage.quote?.author).toEqual({ serviceId: 'aci-alice', name: 'Alice' });
    expect(groupMessage.reactions[0]?.reactors.map((r) => r.person)).toEqual([
      { serviceId: 'aci-alice', name: 'Alice' },
      { serviceId: 'aci-bob', name: 'Unknown contact' },
    ]);
    const chatMessage = await newest(direct.id);
    expect(chatMessage.quote).not.toHaveProperty('author');
    expect(chatMessage.reactions[0]?.reactors[0]).not.toHaveProperty('person');
  });
});

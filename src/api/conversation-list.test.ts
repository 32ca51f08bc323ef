/**
 * conversations.list reads every conversation with its last message in one query and every verified
 * state in one read: ordering, previews (text, attachment-only, event, empty) and verified states.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PrivateKey } from '@signalapp/libsignal-client';
import { AccountKv } from '../account/account-kv.js';
import { MessageStore } from '../messaging/store.js';
import { SignalProtocolStores, VerifiedStatus } from '../signal/stores/index.js';
import { Vault } from '../vault/index.js';
import { TEST_KDF } from '../test-support/vault.js';
import { saveAccount } from './core/account-record.js';
import type { CoreService } from './service.js';
import { createTestCore, type TestCore } from './test-support/core.js';

const PASS = 'conversation list passphrase 9';
const T0 = 1_700_000_000_000;

describe('conversations.list', () => {
  let core: TestCore;
  let service: CoreService;

  beforeEach(() => {
    core = createTestCore();
    service = core.service;
  });

  afterEach(async () => {
    await core.dispose();
  });

  it('lists newest activity first with the last message as preview and each verified state', async () => {
    const vault = new Vault(core.profile.dir, { kdf: TEST_KDF });
    await vault.create(Buffer.from(PASS));
    const at = (t: number) => new MessageStore(vault.db, { clock: () => T0 + t });
    const incoming = (conversationId: string, serviceId: string, t: number, body: string | null) =>
      at(t).insertIncoming({
        conversationId,
        sourceServiceId: serviceId,
        sourceDevice: 1,
        sentAt: T0 + t,
        body,
      });

    const alice = at(0).getOrCreateConversation('aci-alice', { profileName: 'Alice' });
    incoming(alice.id, 'aci-alice', 10, 'older');
    incoming(alice.id, 'aci-alice', 40, `newest ${'x'.repeat(200)}`);
    const bob = at(0).getOrCreateConversation('aci-bob', { profileName: 'Bob' });
    incoming(bob.id, 'aci-bob', 20, 'text first');
    at(30).insertOutgoing({
      conversationId: bob.id,
      sourceServiceId: 'aci-self',
      sourceDevice: 1,
      sentAt: T0 + 30,
      body: null,
      attachmentIds: ['0123456789abcdef0123456789abcdef'],
    });
    const carol = at(0).getOrCreateConversation('aci-carol', { profileName: 'Carol' });
    incoming(carol.id, 'aci-carol', 5, 'hello');
    at(50).addEvent(carol.id, 'identity-changed');
    at(0).getOrCreateConversation('aci-dave', { profileName: 'Dave' });

    // A registered account (the verified states are read for it), Alice verified, Bob's key changed.
    saveAccount(new AccountKv(vault.db), {
      aci: 'aci-self',
      pni: 'PNI:self',
      number: '+15550009999',
      deviceId: 1,
      password: 'pw',
      registrationId: 1,
      pniRegistrationId: 2,
      profileKey: new Uint8Array(32),
    });
    const stores = new SignalProtocolStores(vault.db);
    for (const serviceId of ['aci-alice', 'aci-bob']) {
      stores.aci.identity.saveRemoteIdentity(serviceId, PrivateKey.generate().getPublicKey());
    }
    stores.aci.identity.setVerified('aci-alice', VerifiedStatus.Verified);
    stores.aci.identity.setVerified('aci-bob', VerifiedStatus.Unverified);
    stores.dispose();
    vault.lock('shutdown');

    expect(await service.call('vault.unlock', { passphrase: PASS })).toEqual({ ok: true, value: {} });
    const list = await service.call('conversations.list', {});
    if (!list.ok) throw new Error(list.error.code);
    expect(
      list.value.map((c) => [
        c.title,
        c.lastMessagePreview?.slice(0, 12) ?? null,
        c.lastMessageAt,
        c.verified,
      ]),
    ).toEqual([
      ['Carol', null, T0 + 50, 'default'],
      ['Alice', 'newest xxxxx', T0 + 40, 'verified'],
      ['Bob', 'Attachment', T0 + 30, 'unverified'],
      ['Dave', null, null, 'default'],
    ]);
    expect(list.value[1]?.lastMessagePreview).toHaveLength(80);
    // The same conversation through the single-conversation path maps identically.
    const opened = await service.call('conversation.open', { conversationId: bob.id });
    if (!opened.ok) throw new Error(opened.error.code);
    expect(opened.value.conversation).toEqual(list.value[2]);
  });
});

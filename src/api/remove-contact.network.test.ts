/**
 * conversations.removeContact end to end on the REAL demo network (mock-server over TLS): removing a
 * contact rotates our profile key (read back from the real vault file) and the contact is no longer one
 * — kept as a non-contact, or deleted with its history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import { AccountKv } from '../account/account-kv.js';
import { Vault } from '../vault/index.js';
import { createTestProfile, TEST_KDF, type TestProfile } from '../test-support/vault.js';
import { createCoreService, type CoreService } from './service.js';
import { nextEvent } from './test-support/events.js';

const PASS = 'remove contact passphrase 31';
const NUMBER = '+15550004321';

describe('conversations.removeContact on the demo network', () => {
  let network: DemoNetwork;
  let profile: TestProfile;
  let service: CoreService;

  /** Our stored profile key, read from the vault file itself while the service is locked. */
  async function storedProfileKey(): Promise<Buffer> {
    await service.call('vault.lock', {});
    const vault = new Vault(profile.dir, { kdf: TEST_KDF });
    const pass = Buffer.from(PASS);
    await vault.unlock(pass);
    pass.fill(0);
    const key = new AccountKv(vault.db).getBlob('api.profileKey');
    const copy = Buffer.from(key ?? Buffer.alloc(0));
    vault.lock('user');
    const online = nextEvent(service, 'network.status', (p) => p.status === 'online');
    expect(await service.call('vault.unlock', { passphrase: PASS })).toEqual({ ok: true, value: {} });
    await online;
    return copy;
  }

  beforeAll(async () => {
    network = await startDemoNetwork();
    profile = createTestProfile();
    service = createCoreService({
      profileDir: profile.dir,
      networkConfig: network.config,
      vault: { kdf: TEST_KDF },
    });
    expect(await service.call('vault.create', { passphrase: PASS })).toEqual({ ok: true, value: {} });
    const step1 = await service.call('account.startRegistration', { e164: NUMBER });
    if (!step1.ok) throw new Error(step1.error.code);
    const sessionId = step1.value.sessionId;
    await service.call('account.submitCaptcha', { sessionId, captcha: 'demo-captcha' });
    const online = nextEvent(service, 'network.status', (p) => p.status === 'online');
    const done = await service.call('account.submitCode', { sessionId, code: '111111' });
    expect(done).toMatchObject({ ok: true, value: { registered: true } });
    await online;
  });

  afterAll(async () => {
    await service?.close();
    await network?.close();
    profile?.dispose();
  });

  it('keeping the history: no longer a contact, and our profile key was rotated', async () => {
    const echo = await network.createContact('Stale Echo', { echo: true });
    const started = await service.call('conversations.start', { serviceId: echo.aci, name: 'Stale Echo' });
    if (!started.ok) throw new Error(started.error.code);
    const conversationId = started.value.id;
    expect(started.value.isContact).toBe(true);
    const reply = nextEvent(service, 'message.added', (p) => p.message.body === 'Echo: before removal');
    expect((await service.call('messages.send', { conversationId, body: 'before removal' })).ok).toBe(true);
    await reply;

    const before = await storedProfileKey();
    expect(before).toHaveLength(32);

    const removed = await service.call('conversations.removeContact', {
      conversationId,
      deleteHistory: false,
    });
    if (!removed.ok) throw new Error(removed.error.code);
    expect(removed.value.conversation).toMatchObject({ id: conversationId, isContact: false });

    const list = await service.call('conversations.list', {});
    if (!list.ok) throw new Error(list.error.code);
    expect(list.value.find((c) => c.id === conversationId)).toMatchObject({ isContact: false });
    const page = await service.call('messages.page', { conversationId });
    expect(page.ok && page.value.messages.map((m) => m.body)).toEqual(
      expect.arrayContaining(['before removal', 'Echo: before removal']),
    );

    const after = await storedProfileKey();
    expect(after).toHaveLength(32);
    expect(after.equals(before)).toBe(false);
    before.fill(0);
    after.fill(0);
  });

  it('deleting the history: the conversation is gone (event + list) and the key rotates again', async () => {
    const contact = await network.createContact('Old Friend');
    const started = await service.call('conversations.start', { serviceId: contact.aci, name: 'Old Friend' });
    if (!started.ok) throw new Error(started.error.code);
    const conversationId = started.value.id;
    expect((await service.call('messages.send', { conversationId, body: 'one last note' })).ok).toBe(true);
    const before = await storedProfileKey();

    const gone = nextEvent(service, 'conversation.removed', (p) => p.conversationId === conversationId);
    const removed = await service.call('conversations.removeContact', {
      conversationId,
      deleteHistory: true,
    });
    expect(removed).toEqual({ ok: true, value: { conversation: null } });
    await gone;

    const list = await service.call('conversations.list', {});
    expect(list.ok && list.value.some((c) => c.id === conversationId)).toBe(false);
    const open = await service.call('conversation.open', { conversationId });
    expect(open).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    // Removing again: a typed error, nothing else changes.
    const again = await service.call('conversations.removeContact', { conversationId, deleteHistory: true });
    expect(again).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    const after = await storedProfileKey();
    expect(after).toHaveLength(32);
    expect(after.equals(before)).toBe(false);
    before.fill(0);
    after.fill(0);
  });

  it('bad input is refused by the contract', async () => {
    const missing = await service.call('conversations.removeContact', { conversationId: 'x' } as never);
    expect(missing).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const extra = await service.call('conversations.removeContact', {
      conversationId: 'x',
      deleteHistory: false,
      alsoBlock: true,
    } as never);
    expect(extra).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setLogSink } from '../log.js';
import { scanTree } from '../test-support/files.js';
import { createTestProfile, TEST_KDF, type TestProfile } from '../test-support/vault.js';
import { Vault } from '../vault/index.js';
import { MessageStore } from '../messaging/store.js';
import { createCoreService, type CoreService } from './service.js';
import type { EventName } from './contract.js';

const PASS = 'correct horse battery staple 42';

describe('core service', () => {
  let profile: TestProfile;
  let service: CoreService;
  let events: { event: EventName; payload: unknown }[];
  let logLines: string[];

  beforeEach(() => {
    profile = createTestProfile();
    logLines = [];
    setLogSink((level, event, fields) => logLines.push(JSON.stringify({ level, event, ...fields })), 'debug');
    service = createCoreService({ profileDir: profile.dir, vault: { kdf: TEST_KDF } });
    events = [];
    service.onEvent((event, payload) => events.push({ event, payload }));
  });

  afterEach(async () => {
    await service.close();
    setLogSink(undefined, 'warn');
    profile.dispose();
  });

  it('creates, locks and unlocks the vault; wrong passphrase is a typed error', async () => {
    expect(await service.call('vault.status', {})).toEqual({
      ok: true,
      value: { state: 'uninitialized', insecureNoPassphrase: false },
    });
    expect(await service.call('vault.create', { passphrase: PASS })).toEqual({ ok: true, value: {} });
    expect(await service.call('vault.status', {})).toMatchObject({ ok: true, value: { state: 'unlocked' } });

    expect(await service.call('vault.lock', {})).toEqual({ ok: true, value: {} });
    expect(events.filter((e) => e.event === 'vault.locked')).toEqual([
      { event: 'vault.locked', payload: { reason: 'user' } },
    ]);
    const locked = await service.call('settings.get', {});
    expect(locked).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });

    const wrong = await service.call('vault.unlock', { passphrase: 'not the passphrase' });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) {
      expect(wrong.error.code).toBe('WRONG_PASSPHRASE');
      expect(wrong.error.message).not.toContain('not the passphrase');
    }
    // The throttle may ask for a pause after a wrong try; both are typed, user-explainable codes.
    let unlocked = await service.call('vault.unlock', { passphrase: PASS });
    if (!unlocked.ok && unlocked.error.code === 'UNLOCK_THROTTLED') {
      await new Promise((r) => setTimeout(r, (unlocked.ok ? 0 : (unlocked.error.retryAfterMs ?? 0)) + 50));
      unlocked = await service.call('vault.unlock', { passphrase: PASS });
    }
    expect(unlocked).toEqual({ ok: true, value: {} });
    expect(events.some((e) => e.event === 'vault.unlocked')).toBe(true);

    // No passphrase in any log line or in any profile file.
    expect(logLines.join('\n')).not.toContain(PASS);
    await service.call('vault.lock', {});
    expect(scanTree(profile.dir, [Buffer.from(PASS)])).toEqual([]);
  });

  it('rejects malformed input before it reaches the core', async () => {
    expect(await service.invoke('vault.create', { passphrase: 'short' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await service.call('vault.status', {})).toMatchObject({ value: { state: 'uninitialized' } });
    expect(await service.invoke('vault.create', { passphrase: PASS, extra: true })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await service.invoke('no.such', {})).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await service.invoke('__proto__', {})).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    const bad = await service.invoke('vault.create', { passphrase: 12345678901 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    if (!bad.ok) expect(bad.error.message).not.toContain('12345678901');
    expect(await service.call('vault.status', {})).toMatchObject({ value: { state: 'uninitialized' } });
  });

  it('reads and validates settings; changes persist across a restart', async () => {
    await service.call('vault.create', { passphrase: PASS });
    const initial = await service.call('settings.get', {});
    expect(initial).toMatchObject({ ok: true, value: { linkPreviews: false, autoLockSeconds: 300 } });
    const invalid = await service.invoke('settings.update', { patch: { autoLockSeconds: 7 } });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const updated = await service.call('settings.update', {
      patch: { disappearingDefaultSeconds: 604_800, notificationPrivacy: 'name-only' },
    });
    expect(updated).toMatchObject({ ok: true, value: { disappearingDefaultSeconds: 604_800 } });
    expect(events.some((e) => e.event === 'settings.changed')).toBe(true);
    await service.close();

    service = createCoreService({ profileDir: profile.dir, vault: { kdf: TEST_KDF } });
    expect(await service.call('vault.status', {})).toMatchObject({ value: { state: 'locked' } });
    await service.call('vault.unlock', { passphrase: PASS });
    expect(await service.call('settings.get', {})).toMatchObject({
      ok: true,
      value: { disappearingDefaultSeconds: 604_800, notificationPrivacy: 'name-only', linkPreviews: false },
    });
  });

  it('purges messages that expired while locked before anything can be displayed', async () => {
    const vault = new Vault(profile.dir, { kdf: TEST_KDF });
    await vault.create(Buffer.from(PASS));
    // Sent an hour ago with a 1-minute timer: expired while the vault was closed.
    const past = Date.now() - 3_600_000;
    const store = new MessageStore(vault.db, { clock: () => past });
    const conversation = store.getOrCreateConversation('aci-expiring-contact', { profileName: 'Bo' });
    const common = {
      conversationId: conversation.id,
      sourceServiceId: 'aci-self',
      sourceDevice: 1,
      sentAt: past,
    };
    store.insertOutgoing({ ...common, body: 'gone by now', expireTimerSeconds: 60 });
    store.insertOutgoing({ ...common, sentAt: past + 1, body: 'stays', expireTimerSeconds: null });
    vault.lock('shutdown');

    await service.call('vault.unlock', { passphrase: PASS });
    const opened = await service.call('conversation.open', { conversationId: conversation.id });
    if (!opened.ok) throw new Error(opened.error.code);
    expect(opened.value.page.messages.map((m) => m.body)).toEqual(['stays']);
    expect(events.some((e) => e.event === 'message.added')).toBe(false);
  });

  it('pages a 10,000-message conversation by cursor and drops it all on lock', async () => {
    // Seed through the real vault + message store, as the receive pipeline would.
    const vault = new Vault(profile.dir, { kdf: TEST_KDF });
    await vault.create(Buffer.from(PASS));
    const store = new MessageStore(vault.db);
    const conversation = store.getOrCreateConversation('aci-test-contact', { profileName: 'Alice' });
    store.transaction(() => {
      for (let i = 0; i < 10_000; i++) {
        store.insertIncoming({
          conversationId: conversation.id,
          sourceServiceId: 'aci-test-contact',
          sourceDevice: 1,
          sentAt: 1_700_000_000_000 + i,
          body: `message number ${i}`,
        });
      }
    });
    vault.lock('shutdown');

    await service.call('vault.unlock', { passphrase: PASS });
    const list = await service.call('conversations.list', {});
    expect(list.ok && list.value.map((c) => c.title)).toEqual(['Alice']);
    const opened = await service.call('conversation.open', { conversationId: conversation.id });
    if (!opened.ok) throw new Error(opened.error.code);
    expect(opened.value.page.total).toBe(10_000);
    expect(opened.value.page.messages).toHaveLength(50);
    expect(opened.value.page.messages[0]?.body).toBe('message number 9999');
    const seen = new Set(opened.value.page.messages.map((m) => m.id));
    let cursor = opened.value.page.nextCursor;
    let pages = 1;
    while (cursor) {
      const page = await service.call('messages.page', {
        conversationId: conversation.id,
        before: cursor,
        limit: 200,
      });
      if (!page.ok) throw new Error(page.error.code);
      for (const m of page.value.messages) seen.add(m.id);
      cursor = page.value.nextCursor;
      pages++;
    }
    expect(seen.size).toBe(10_000);
    expect(pages).toBe(1 + Math.ceil(9950 / 200));

    expect(await service.call('messages.markRead', { conversationId: conversation.id })).toEqual({
      ok: true,
      value: {},
    });
    const timer = await service.call('conversation.setDisappearingTimer', {
      conversationId: conversation.id,
      seconds: 3600,
    });
    expect(timer).toMatchObject({ ok: true, value: { expireTimerSeconds: 3600, unreadCount: 0 } });
    expect(await service.invoke('conversation.open', { conversationId: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'No such conversation.' },
    });

    await service.call('vault.lock', {});
    expect(await service.call('conversations.list', {})).toMatchObject({
      ok: false,
      error: { code: 'VAULT_LOCKED' },
    });
    expect(
      await service.call('messages.page', { conversationId: conversation.id, before: '100' }),
    ).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
  });

  it('answers NOT_AVAILABLE for what needs a Signal service when none is configured', async () => {
    expect(await service.call('app.info', {})).toEqual({
      ok: true,
      value: {
        version: '0.1.0',
        networkMode: 'offline',
        screenSecuritySupported: false,
        platform: process.platform,
        capabilities: {
          pinBackup: false,
          registrationLock: false,
          phoneNumberLookup: false,
          workshop: false,
        },
        // No platform dialogs were given (the web harness): files are chosen and saved in the page.
        nativeFileDialogs: false,
      },
    });
    await service.call('vault.create', { passphrase: PASS });
    expect(await service.call('account.startRegistration', { e164: '+15551234567' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_AVAILABLE' },
    });
    expect(await service.call('pin.check', { pin: '1234' })).toMatchObject({ ok: true });
  });

  it('closing waits for deleted files still being shredded in the background', async () => {
    await service.call('vault.create', { passphrase: PASS });
    const size = 8 * 1024 * 1024;
    const begun = await service.call('attachments.stageBegin', { size });
    if (!begun.ok) throw new Error(begun.error.code);
    const { stageId, chunkBytes } = begun.value;
    const chunk = Buffer.alloc(chunkBytes, 7).toString('base64');
    for (let offset = 0; offset < size; offset += chunkBytes) {
      expect(
        await service.call('attachments.stageChunk', { stageId, offset, dataBase64: chunk }),
      ).toMatchObject({
        ok: true,
      });
    }
    const filesDir = join(profile.dir, 'files');
    expect(readdirSync(filesDir)).toHaveLength(1); // the staged file, still being written
    expect(await service.call('attachments.stageCancel', { stageId })).toEqual({
      ok: true,
      value: { cancelled: true },
    });
    await service.close(); // the quit path: lock, then a bounded wait for the shredder
    expect(readdirSync(filesDir)).toEqual([]);
  });
});

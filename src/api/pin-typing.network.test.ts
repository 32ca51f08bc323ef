/**
 * Phase-2 API wiring on the REAL demo network (mock-server over TLS, with the demo key backup,
 * registration lock and account-data store mounted on its chat socket): typing indicators both ways;
 * the Signal PIN (policy, key backup, registration lock, reminders) and the hardening report following
 * it; then a NEW profile registering the same number gets REGISTRATION_LOCKED, a wrong PIN costs a try,
 * the right one recovers the account with the same identity (same safety number with the contact).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoContact, type DemoNetwork } from '../demo/network.js';
import { setLogSink } from '../log.js';
import { scanTree } from '../test-support/files.js';
import { createTestProfile, TEST_KDF, type TestProfile } from '../test-support/vault.js';
import { createCoreService, type CoreService } from './service.js';
import { nextEvent, value } from './test-support/events.js';

const PASS = 'pin network test passphrase 31';
const NUMBER = '+15550007788';
const HOUR = 3_600_000;

describe('typing, PIN, registration lock, reminders and recovery through the API (demo network)', () => {
  let network: DemoNetwork;
  let profile: TestProfile;
  let fresh: TestProfile;
  let service: CoreService;
  let now = Date.now();
  let aci = '';
  let gus: DemoContact;
  let gusConversation = '';
  let pin = '';
  const logLines: string[] = [];

  beforeAll(async () => {
    setLogSink((level, event, fields) => logLines.push(JSON.stringify({ level, event, ...fields })), 'debug');
    network = await startDemoNetwork({ clock: () => now });
    profile = createTestProfile();
    fresh = createTestProfile();
    service = createCoreService({
      profileDir: profile.dir,
      networkConfig: network.config,
      vault: { kdf: TEST_KDF },
      clock: () => now,
    });
    expect(await service.call('vault.create', { passphrase: PASS })).toEqual({ ok: true, value: {} });
    const step1 = await value(service.call('account.startRegistration', { e164: NUMBER }));
    await value(
      service.call('account.submitCaptcha', { sessionId: step1.sessionId, captcha: 'demo-captcha' }),
    );
    const online = nextEvent(service, 'network.status', (p) => p.status === 'online');
    const status = await value(
      service.call('account.submitCode', { sessionId: step1.sessionId, code: '111111' }),
    );
    aci = status.aci ?? '';
    await online;
  });

  afterAll(async () => {
    await service?.close();
    await network?.close();
    profile?.dispose();
    fresh?.dispose();
    setLogSink(undefined, 'warn');
  });

  it('delivers a contact’s typing indicator as an event and sends ours', async () => {
    gus = await network.createContact('Gus');
    const conversation = await value(
      service.call('conversations.start', { serviceId: gus.aci, name: 'Gus' }),
    );
    gusConversation = conversation.id;
    const target = await gus.ensureSession(aci);
    // A first message so the conversation exists on both sides with a session.
    const first = nextEvent(service, 'message.added', (p) => p.message.direction === 'in');
    await gus.device.sendText(target, 'hi', { sealed: false });
    await first;
    const typing = nextEvent(service, 'typing', (p) => p.conversationId === conversation.id);
    await gus.device.sendRaw(target, {
      content: { typingMessage: { timestamp: BigInt(Date.now()), action: 0, groupId: null } },
    } as never);
    expect(await typing).toEqual({ conversationId: conversation.id, started: true });
    const stopped = nextEvent(service, 'typing', (p) => p.conversationId === conversation.id);
    await gus.device.sendRaw(target, {
      content: { typingMessage: { timestamp: BigInt(Date.now()), action: 1, groupId: null } },
    } as never);
    expect(await stopped).toEqual({ conversationId: conversation.id, started: false });
    // Typing is ephemeral: nothing was stored.
    const page = await value(service.call('messages.page', { conversationId: conversation.id }));
    expect(page.messages.map((m) => m.body)).toEqual(['hi']);

    expect(await service.call('typing.send', { conversationId: conversation.id, started: true })).toEqual({
      ok: true,
      value: {},
    });
    expect(await service.call('typing.send', { conversationId: 'nope', started: true })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });

  it('refuses weak PINs, sets a generated strong PIN, turns registration lock on; the audit follows', async () => {
    const before = await value(service.call('audit.get', {}));
    expect(before.items.find((i) => i.id === 'pin-set')?.status).toBe('advice');
    // Registration lock needs a PIN first.
    const early = await service.call('registrationLock.set', { enabled: true });
    expect(early).toMatchObject({ ok: false, error: { code: 'PRECONDITION' } });

    expect(await service.call('pin.set', { pin: '1234' })).toMatchObject({
      ok: false,
      error: { code: 'WEAK_PIN' },
    });
    const weak = 'tulip1984';
    expect((await value(service.call('pin.check', { pin: weak }))).verdict).not.toBe('ok');
    // Without the explicit confirmation a weak PIN is refused; nothing was stored.
    expect(await service.call('pin.set', { pin: weak })).toMatchObject({
      ok: false,
      error: { code: 'WEAK_PIN' },
    });
    expect((await value(service.call('account.status', {}))).pinSet).toBe(false);

    pin = (await value(service.call('pin.generate', {}))).pin;
    expect((await value(service.call('pin.check', { pin }))).verdict).toBe('ok');
    const set = await value(service.call('pin.set', { pin }));
    expect(set.pinSet).toBe(true);
    expect(set.pinStrengthBits).toBeGreaterThanOrEqual(50);
    expect(set.registrationLock).toBe(false);
    expect(network.server.svr.svr.registrationLock.isLocked(NUMBER)).toBe(false);

    // On and off and on again, on the server too.
    expect((await value(service.call('registrationLock.set', { enabled: true }))).registrationLock).toBe(
      true,
    );
    expect(network.server.svr.svr.registrationLock.isLocked(NUMBER)).toBe(true);
    expect((await value(service.call('registrationLock.set', { enabled: false }))).registrationLock).toBe(
      false,
    );
    expect(network.server.svr.svr.registrationLock.isLocked(NUMBER)).toBe(false);
    expect((await value(service.call('registrationLock.set', { enabled: true }))).registrationLock).toBe(
      true,
    );

    const after = await value(service.call('audit.get', {}));
    for (const id of ['pin-set', 'pin-strength', 'registration-lock']) {
      expect(after.items.find((i) => i.id === id)?.status).toBe('ok');
    }

    // Reminders: not due at once; due after 12 h; right → longer interval; wrong → shorter again.
    expect(await value(service.call('pin.reminderStatus', {}))).toMatchObject({ pinSet: true, due: false });
    now += 13 * HOUR;
    expect(await value(service.call('pin.reminderStatus', {}))).toMatchObject({
      due: true,
      intervalMs: 12 * HOUR,
    });
    const right = await value(service.call('pin.answerReminder', { pin }));
    expect(right).toMatchObject({ correct: true, intervalMs: 24 * HOUR });
    expect((await value(service.call('pin.reminderStatus', {}))).due).toBe(false);
    now += 25 * HOUR;
    const wrong = await value(service.call('pin.answerReminder', { pin: `${pin}x` }));
    expect(wrong).toMatchObject({ correct: false, intervalMs: 12 * HOUR });

    // The PIN is never logged, and never on disk in the clear (only argon2 hash, inside the encrypted DB).
    expect(logLines.join('\n')).not.toContain(pin);
    await service.call('vault.lock', {});
    expect(scanTree(profile.dir, [Buffer.from(pin)])).toEqual([]);
    const online = nextEvent(service, 'network.status', (p) => p.status === 'online');
    await value(service.call('vault.unlock', { passphrase: PASS }));
    await online;
    expect((await value(service.call('account.status', {}))).pinSet).toBe(true);
  });

  it('a new profile registering the locked number: PIN prompt, a wrong PIN costs a try, recovery', async () => {
    const oldSafety = await value(service.call('safetyNumber.get', { conversationId: gusConversation }));
    const second = createCoreService({
      profileDir: fresh.dir,
      networkConfig: network.config,
      vault: { kdf: TEST_KDF },
      clock: () => now,
    });
    try {
      await value(second.call('vault.create', { passphrase: PASS }));
      const step1 = await value(second.call('account.startRegistration', { e164: NUMBER }));
      await value(
        second.call('account.submitCaptcha', { sessionId: step1.sessionId, captcha: 'demo-captcha' }),
      );
      const locked = await second.call('account.submitCode', { sessionId: step1.sessionId, code: '111111' });
      expect(locked).toMatchObject({ ok: false, error: { code: 'REGISTRATION_LOCKED' } });
      const wrong = await second.call('account.submitPin', {
        sessionId: step1.sessionId,
        pin: 'not the pin 1',
      });
      expect(wrong).toMatchObject({ ok: false, error: { code: 'WRONG_PIN', triesRemaining: 9 } });
      // An unknown session cannot answer.
      expect(await second.call('account.submitPin', { sessionId: 'other', pin })).toMatchObject({
        ok: false,
        error: { code: 'PRECONDITION', message: 'Start the registration again.' },
      });
      const online = nextEvent(second, 'network.status', (p) => p.status === 'online');
      const recovered = await value(second.call('account.submitPin', { sessionId: step1.sessionId, pin }));
      expect(recovered).toMatchObject({
        registered: true,
        aci,
        e164: NUMBER,
        pinSet: true,
        registrationLock: true,
      });
      await online;

      // The contact came back with the account data, and the identity is the same: same safety number.
      const conversations = await value(second.call('conversations.list', {}));
      const restored = conversations.find((c) => c.serviceId === gus.aci);
      expect(restored).toBeDefined();
      const newSafety = await value(second.call('safetyNumber.get', { conversationId: restored!.id }));
      expect(newSafety.digits).toBe(oldSafety.digits);
      expect(logLines.join('\n')).not.toContain(pin);
    } finally {
      await second.close();
    }
  });
});

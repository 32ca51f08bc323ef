/**
 * Phase-2 API wiring on the REAL demo network (mock-server over TLS): the Signal PIN (policy, key backup,
 * registration lock, reminders) through the API, the hardening report following it, and typing
 * indicators both ways. The key-backup routes are served by the demo SVR in process (src/demo/svr), with
 * the demo server's own account password as the account authentication.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import { DemoSvr } from '../demo/svr/handler.js';
import { localSend } from '../demo/svr/local-send.js';
import { setLogSink } from '../log.js';
import { TEST_KDF, scanTree, tempProfile } from '../vault/test-support/profile.js';
import { createCoreService, type CoreService } from './service.js';
import type { EventName, EventPayload } from './contract.js';

const PASS = 'pin network test passphrase 31';
const NUMBER = '+15550007788';
const HOUR = 3_600_000;

function nextEvent<E extends EventName>(
  service: CoreService,
  event: E,
  predicate: (payload: EventPayload<E>) => boolean,
  ms = 20_000,
): Promise<EventPayload<E>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${event}`));
    }, ms);
    const off = service.onEvent((name: EventName, payload: unknown) => {
      if (name === event && predicate(payload as EventPayload<E>)) {
        clearTimeout(timer);
        off();
        resolve(payload as EventPayload<E>);
      }
    });
  });
}

async function value<T>(result: Promise<{ ok: true; value: T } | { ok: false; error: { code: string } }>) {
  const r = await result;
  if (!r.ok) throw new Error(`API error ${r.error.code}`);
  return r.value;
}

describe('PIN, registration lock, reminders and typing through the API (demo network)', () => {
  let network: DemoNetwork;
  let profile: ReturnType<typeof tempProfile>;
  let service: CoreService;
  let svr: DemoSvr;
  let now = Date.now();
  let aci = '';
  const logLines: string[] = [];

  beforeAll(async () => {
    setLogSink((level, event, fields) => logLines.push(JSON.stringify({ level, event, ...fields })), 'debug');
    network = await startDemoNetwork();
    profile = tempProfile();
    svr = new DemoSvr({
      now: () => now,
      // The account authenticates with its chat login (`aci.deviceId:password`), as on the real server.
      authenticate: (headers) => {
        const raw = headers.authorization;
        const value = Array.isArray(raw) ? raw[0] : raw;
        if (!value?.startsWith('Basic ') || !aci) return undefined;
        const login = Buffer.from(value.slice(6), 'base64').toString('utf8');
        return login.startsWith(`${aci}.1:`) ? { aci, e164: NUMBER } : undefined;
      },
    });
    service = createCoreService({
      profileDir: profile.dir,
      networkConfig: network.config,
      vault: { kdf: TEST_KDF },
      clock: () => now,
      keyBackupSend: localSend(svr),
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
    svr.registrationLock.recordRegistration(NUMBER, aci);
    await online;
  });

  afterAll(async () => {
    await service?.close();
    await network?.close();
    profile?.dispose();
    setLogSink(undefined, 'warn');
  });

  it('refuses weak PINs, sets a generated strong PIN, turns registration lock on; the audit follows', async () => {
    const before = await value(service.call('audit.get', {}));
    expect(before.items.find((i) => i.id === 'pin-set')?.status).toBe('advice');
    // Registration lock needs a PIN first.
    const early = await service.call('registrationLock.set', { enabled: true });
    expect(early).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });

    expect(await service.call('pin.set', { pin: '1234' })).toMatchObject({
      ok: false,
      error: { code: 'WEAK_PIN' },
    });
    const weak = '73915486';
    const weakCheck = await value(service.call('pin.check', { pin: weak }));
    if (weakCheck.verdict === 'weak-needs-confirmation') {
      // Without the explicit confirmation a weak PIN is refused; nothing was stored.
      expect(await service.call('pin.set', { pin: weak })).toMatchObject({
        ok: false,
        error: { code: 'WEAK_PIN' },
      });
    }
    expect((await value(service.call('account.status', {}))).pinSet).toBe(false);

    const { pin } = await value(service.call('pin.generate', {}));
    expect((await value(service.call('pin.check', { pin }))).verdict).toBe('ok');
    const set = await value(service.call('pin.set', { pin }));
    expect(set.pinSet).toBe(true);
    expect(set.pinStrengthBits).toBeGreaterThanOrEqual(50);
    expect(set.registrationLock).toBe(false);

    const locked = await value(service.call('registrationLock.set', { enabled: true }));
    expect(locked.registrationLock).toBe(true);
    expect(svr.registrationLock.isLocked(NUMBER)).toBe(true);

    const after = await value(service.call('audit.get', {}));
    for (const id of ['pin-set', 'pin-strength', 'registration-lock']) {
      expect(after.items.find((i) => i.id === id)?.status).toBe('ok');
    }

    // Reminders: not due at once; due after 12 h; a wrong answer keeps the shortest interval, a right one
    // lengthens it, a wrong one then shortens it again.
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

    // Registration lock off again on the server too.
    const unlocked = await value(service.call('registrationLock.set', { enabled: false }));
    expect(unlocked.registrationLock).toBe(false);
    expect(svr.registrationLock.isLocked(NUMBER)).toBe(false);

    // The PIN is never logged, and never on disk in the clear (only argon2 hash, inside the encrypted DB).
    expect(logLines.join('\n')).not.toContain(pin);
    await service.call('vault.lock', {});
    expect(scanTree(profile.dir, [Buffer.from(pin)])).toEqual([]);
    const online = nextEvent(service, 'network.status', (p) => p.status === 'online');
    await value(service.call('vault.unlock', { passphrase: PASS }));
    await online;
    expect((await value(service.call('account.status', {}))).pinSet).toBe(true);
  });

  it('delivers a contact’s typing indicator as an event and sends ours', async () => {
    const gus = await network.createContact('Gus');
    const conversation = await value(
      service.call('conversations.start', { serviceId: gus.aci, name: 'Gus' }),
    );
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
      error: { code: 'INVALID_INPUT' },
    });
  });
});

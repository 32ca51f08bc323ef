/**
 * The core service end to end against the REAL demo network (mock-server over TLS): register through the
 * API's three steps, chat with an echo contact both ways, receive events, verify a safety number.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import { setLogSink } from '../log.js';
import { scanTree } from '../test-support/files.js';
import { createTestProfile, TEST_KDF, type TestProfile } from '../test-support/vault.js';
import { createCoreService, type CoreService } from './service.js';
import { nextEvent } from './test-support/events.js';
import type { Message } from './contract.js';

const PASS = 'network test passphrase 77';
const NUMBER = '+15550001234';

describe('core service on the demo network', () => {
  let network: DemoNetwork;
  let profile: TestProfile;
  let service: CoreService;
  const logLines: string[] = [];

  beforeAll(async () => {
    setLogSink((level, event, fields) => logLines.push(JSON.stringify({ level, event, ...fields })), 'debug');
    network = await startDemoNetwork();
    profile = createTestProfile();
    service = createCoreService({
      profileDir: profile.dir,
      networkConfig: network.config,
      vault: { kdf: TEST_KDF },
    });
    expect(await service.call('vault.create', { passphrase: PASS })).toEqual({ ok: true, value: {} });
  });

  afterAll(async () => {
    await service?.close();
    await network?.close();
    profile?.dispose();
    setLogSink(undefined, 'warn');
  });

  it('registers in three steps; a wrong code is a typed error and the flow continues', async () => {
    const step1 = await service.call('account.startRegistration', { e164: NUMBER });
    if (!step1.ok) throw new Error(step1.error.code);
    expect(step1.value.next).toBe('captcha');
    const step2 = await service.call('account.submitCaptcha', {
      sessionId: step1.value.sessionId,
      captcha: 'demo-captcha',
    });
    expect(step2).toEqual({ ok: true, value: { sessionId: step1.value.sessionId, next: 'code' } });
    const wrong = await service.call('account.submitCode', {
      sessionId: step1.value.sessionId,
      code: '000000',
    });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'WRONG_VERIFICATION_CODE' } });
    const online = nextEvent(service, 'network.status', (p) => p.status === 'online');
    const done = await service.call('account.submitCode', {
      sessionId: step1.value.sessionId,
      code: '111111',
    });
    expect(done).toMatchObject({ ok: true, value: { registered: true, e164: NUMBER, deviceId: 1 } });
    await online;
  });

  it('chats with an echo contact both ways, with events, receipts and a safety number', async () => {
    const echo = await network.createContact('Echo', { echo: true });
    const started = await service.call('conversations.start', { serviceId: echo.aci, name: 'Echo' });
    if (!started.ok) throw new Error(started.error.code);
    const conversationId = started.value.id;
    expect(started.value.title).toBe('Echo');

    const reply = nextEvent(
      service,
      'message.added',
      (p) => p.message.direction === 'in' && p.message.body === 'Echo: hello from the API',
    );
    const toast = nextEvent(service, 'toast', (p) => p.kind === 'message');
    const sent = await service.call('messages.send', { conversationId, body: 'hello from the API' });
    expect(sent).toMatchObject({ ok: true, value: { direction: 'out', body: 'hello from the API' } });
    const incoming = (await reply).message;
    expect(incoming.conversationId).toBe(conversationId);
    // Default notification privacy (no name or message): the toast names nobody and quotes nothing.
    expect(await toast).toEqual({ kind: 'message', title: 'New message' });

    const page = await service.call('messages.page', { conversationId });
    if (!page.ok) throw new Error(page.error.code);
    const bodies = page.value.messages.map((m: Message) => m.body);
    expect(bodies).toEqual(expect.arrayContaining(['hello from the API', 'Echo: hello from the API']));

    const safety = await service.call('safetyNumber.get', { conversationId });
    if (!safety.ok) throw new Error(safety.error.code);
    expect(safety.value.digits).toMatch(/^\d{60}$/);
    expect(safety.value.groups).toHaveLength(12);
    expect(safety.value.verified).toBe('default');
    const verified = await service.call('safetyNumber.setVerified', { conversationId, verified: true });
    expect(verified).toMatchObject({ ok: true, value: { verified: 'verified' } });
    const list = await service.call('conversations.list', {});
    expect(list.ok && list.value.find((c) => c.id === conversationId)?.verified).toBe('verified');

    // A proxy that is down: the client reconnects through it and fails closed (no direct fallback).
    const proxyError = nextEvent(service, 'network.status', (p) => p.status === 'proxy-error');
    await service.call('settings.update', {
      patch: { proxy: { mode: 'socks5', host: '127.0.0.1', port: 9 } },
    });
    expect(await proxyError).toMatchObject({ detail: 'PROXY_UNAVAILABLE' });
    const failed = await service.call('messages.send', { conversationId, body: 'must not leave' });
    expect(failed).toMatchObject({ ok: false, error: { code: 'PROXY_UNAVAILABLE' } });
    const back = nextEvent(service, 'network.status', (p) => p.status === 'online');
    await service.call('settings.update', { patch: { proxy: { mode: 'none' } } });
    await back;

    // A blocked contact gets nothing, and the error says why.
    await service.call('conversation.setBlocked', { conversationId, blocked: true });
    const blocked = await service.call('messages.send', { conversationId, body: 'not to a blocked contact' });
    expect(blocked).toMatchObject({ ok: false, error: { code: 'BLOCKED' } });
    await service.call('conversation.setBlocked', { conversationId, blocked: false });

    // Nothing secret in the logs; nothing readable in the profile after lock.
    await service.call('vault.lock', {});
    const logs = logLines.join('\n');
    for (const secret of [PASS, NUMBER, 'hello from the API']) expect(logs).not.toContain(secret);
    expect(scanTree(profile.dir, [Buffer.from('hello from the API'), Buffer.from(NUMBER)])).toEqual([]);

    // Unlock: the client reconnects from the vault and the history is there.
    const online = nextEvent(service, 'network.status', (p) => p.status === 'online');
    await service.call('vault.unlock', { passphrase: PASS });
    await online;
    const again = await service.call('conversation.open', { conversationId });
    expect(again.ok && again.value.page.messages.some((m) => m.body === 'Echo: hello from the API')).toBe(
      true,
    );
  });
});

/**
 * The session's one network route, end to end on the demo network through a real SOCKS5 proxy
 * (microsocks): registration, the messaging client and the PIN backup (over the client's socket) all
 * connect through the route the settings name, and changing the setting moves the running client to the new route at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import { Vault } from '../vault/index.js';
import { startMicrosocks, type Microsocks } from '../net/test-support/socks.js';
import { TEST_KDF } from '../test-support/vault.js';
import type { CoreService } from './service.js';
import { createTestCore, type TestCore } from './test-support/core.js';
import { nextEvent, value } from './test-support/events.js';

const PASS = 'route test passphrase 31';
const NUMBER = '+15550003131';

describe('the session route (demo network through microsocks)', () => {
  let network: DemoNetwork;
  let proxy: Microsocks;
  let core: TestCore;
  let service: CoreService;

  beforeAll(async () => {
    network = await startDemoNetwork();
    proxy = await startMicrosocks();
    core = createTestCore({ networkConfig: network.config });
    service = core.service;
    await value(service.call('vault.create', { passphrase: PASS }));
  });

  afterAll(async () => {
    await core?.dispose();
    await proxy?.stop();
    await network?.close();
  });

  it('registers, connects and backs up the PIN through the proxy; a setting change moves the client', async () => {
    await value(
      service.call('settings.update', {
        patch: { proxy: { mode: 'socks5', host: proxy.host, port: proxy.port } },
      }),
    );
    const step = await value(service.call('account.startRegistration', { e164: NUMBER }));
    await value(
      service.call('account.submitCaptcha', { sessionId: step.sessionId, captcha: 'demo-captcha' }),
    );
    const afterCaptcha = (await proxy.waitForConnections(1)).length;
    expect(afterCaptcha).toBeGreaterThan(0);

    const online = nextEvent(service, 'network.status', (p) => p.status === 'online');
    await value(service.call('account.submitCode', { sessionId: step.sessionId, code: '111111' }));
    await online;
    const afterClient = proxy.connectedTargets().length;
    expect(afterClient).toBeGreaterThan(afterCaptcha);

    // The PIN backup rides the client's socket, which goes through the proxy: no socket of its own.
    const { pin } = await value(service.call('pin.generate', {}));
    expect((await value(service.call('pin.set', { pin }))).pinSet).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300)); // microsocks logs asynchronously
    expect(proxy.connectedTargets().length).toBe(afterClient);

    // Back to direct: the client leaves the proxy's route at once and reconnects without it.
    const rerouted = nextEvent(service, 'network.status', (p) => p.detail === 'route-changed');
    const back = nextEvent(service, 'network.status', (p) => p.status === 'online');
    await value(service.call('settings.update', { patch: { proxy: { mode: 'none' } } }));
    await rerouted;
    await back;
    await proxy.stop();
    const echo = await network.createContact('Echo', { echo: true });
    const chat = await value(service.call('conversations.start', { serviceId: echo.aci, name: 'Echo' }));
    const reply = nextEvent(service, 'message.added', (p) => p.message.direction === 'in');
    await value(service.call('messages.send', { conversationId: chat.id, body: 'direct again' }));
    await reply;
  });

  it('fails closed when the stored proxy row cannot be read: no direct fallback until it is set again', async () => {
    await value(service.call('vault.lock', {}));
    // A row a looser build could have saved: a password without a username (refused by today's schema).
    const vault = new Vault(core.profile.dir, { kdf: TEST_KDF });
    await vault.unlock(Buffer.from(PASS, 'utf8'));
    vault.db
      .prepare("UPDATE settings SET value = ? WHERE key = 'proxy'")
      .run(JSON.stringify({ mode: 'socks5', host: '127.0.0.1', port: 9, password: 'secret' }));
    const changed = vault.db.prepare('SELECT changes() AS n').get() as { n: number };
    expect(changed.n).toBe(1);
    vault.lock('user');

    const refused = nextEvent(service, 'network.status', (p) => p.status === 'proxy-error');
    await value(service.call('vault.unlock', { passphrase: PASS }));
    expect((await refused).detail).toBe('PROXY_UNAVAILABLE');
    // The screen shows the default (no proxy), but nothing connects until the user sets the proxy again.
    expect((await value(service.call('settings.get', {}))).proxy).toEqual({ mode: 'none' });

    const online = nextEvent(service, 'network.status', (p) => p.status === 'online');
    await value(service.call('settings.update', { patch: { proxy: { mode: 'none' } } }));
    await online;
  });
});

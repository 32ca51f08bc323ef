/**
 * Issue 12.5: the proxy password stays in the core. The renderer sees `hasPassword`, never the password —
 * not in settings.get, settings.update's answer nor the settings.changed event — while the route keeps
 * using the stored one (a real microsocks that requires it, on the demo network). A patch may set it;
 * leaving it out keeps it only for the same proxy and username; null removes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import { startMicrosocks, type Microsocks } from '../net/test-support/socks.js';
import type { CoreService } from './service.js';
import { createTestCore, registerThroughService, type TestCore } from './test-support/core.js';
import { nextEvent, value } from './test-support/events.js';

const PASS = 'settings secrets test passphrase';
const NUMBER = '+15550001255';
const USER = 'acct-12-5';
const SECRET = 'proxy-secret-12-5-Zq8';

describe('the proxy password never leaves the core (demo network, microsocks with auth)', () => {
  let network: DemoNetwork;
  let proxy: Microsocks;
  let core: TestCore;
  let service: CoreService;
  /** Every event the UI would receive, as the JSON that crosses the bridge. */
  const wire: string[] = [];

  beforeAll(async () => {
    network = await startDemoNetwork();
    proxy = await startMicrosocks({ username: USER, password: SECRET });
    core = createTestCore({ networkConfig: network.config });
    service = core.service;
    service.onEvent((event, payload) => wire.push(JSON.stringify({ event, payload })));
    await value(service.call('vault.create', { passphrase: PASS }));
  });

  afterAll(async () => {
    await core?.dispose();
    await proxy?.stop();
    await network?.close();
  });

  const socks = () => ({ mode: 'socks5' as const, host: proxy.host, port: proxy.port, username: USER });

  it('settings.update, settings.get and settings.changed carry hasPassword, never the password', async () => {
    const changed = nextEvent(service, 'settings.changed');
    const updated = await service.call('settings.update', {
      patch: { proxy: { ...socks(), password: SECRET } },
    });
    expect(JSON.stringify(updated)).not.toContain(SECRET);
    expect(updated).toMatchObject({ ok: true, value: { proxy: { ...socks(), hasPassword: true } } });
    expect(JSON.stringify(await changed)).not.toContain(SECRET);
    expect((await changed).settings.proxy).toEqual({ ...socks(), hasPassword: true });
    const got = await service.call('settings.get', {});
    expect(JSON.stringify(got)).not.toContain(SECRET);
    expect(got).toMatchObject({ ok: true, value: { proxy: { ...socks(), hasPassword: true } } });
  });

  it('the route still authenticates with the stored password: registration and chat go through the proxy', async () => {
    await registerThroughService(service, NUMBER);
    expect(proxy.connectedTargets().length).toBeGreaterThan(0);

    // Saving the same proxy without retyping the password keeps it (the form never holds it).
    const kept = await value(service.call('settings.update', { patch: { proxy: socks() } }));
    expect(kept.proxy).toEqual({ ...socks(), hasPassword: true });
    // After a restart of the session the stored password still opens the proxy.
    await value(service.call('vault.lock', {}));
    const again = nextEvent(service, 'network.status', (p) => p.status === 'online');
    await value(service.call('vault.unlock', { passphrase: PASS }));
    await again;
  });

  it('a changed proxy or username does not inherit the password; null removes it', async () => {
    const moved = await value(
      service.call('settings.update', { patch: { proxy: { ...socks(), port: proxy.port + 1 } } }),
    );
    expect(moved.proxy).toEqual({ ...socks(), port: proxy.port + 1, hasPassword: false });
    const renamed = await value(
      service.call('settings.update', { patch: { proxy: { ...socks(), username: 'someone-else' } } }),
    );
    expect(renamed.proxy).toMatchObject({ hasPassword: false });

    await value(service.call('settings.update', { patch: { proxy: { ...socks(), password: SECRET } } }));
    const refused = nextEvent(service, 'network.status', (p) => p.status === 'proxy-error');
    const cleared = await value(
      service.call('settings.update', { patch: { proxy: { ...socks(), password: null } } }),
    );
    expect(cleared.proxy).toEqual({ ...socks(), hasPassword: false });
    // Without the password microsocks refuses: the core fails closed instead of connecting directly.
    await refused;
    expect(wire.join('\n')).not.toContain(SECRET);
  });
});

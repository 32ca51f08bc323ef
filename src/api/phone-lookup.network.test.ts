/**
 * Issue 16 #4, phone-number lookup that tells the truth. On the demo network a labelled directory route
 * answers (the mock has no CDSI): only with the user's consent, only numbers whose owners are findable
 * (simulated phones; Carapace accounts that chose "everybody" before registering). A production
 * configuration never asks anyone: NOT_AVAILABLE with the sentence that suggests a username.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import { createTestCore, registerThroughService, type TestCore } from './test-support/core.js';
import { value } from './test-support/events.js';

const PASS = 'phone lookup passphrase 16';

describe('finding people by phone number', () => {
  let network: DemoNetwork;
  const cores: TestCore[] = [];
  const directoryRequests: string[] = [];

  function core(production = false): TestCore {
    const config = production ? { ...network.config, mode: 'production' as const } : network.config;
    const created = createTestCore({ networkConfig: config });
    cores.push(created);
    return created;
  }

  beforeAll(async () => {
    network = await startDemoNetwork();
    const intercept = network.server.interceptRequest.bind(network.server);
    network.server.interceptRequest = (device, request) => {
      if (request.path?.startsWith('/carapace-demo/')) directoryRequests.push(request.path);
      return intercept(device, request);
    };
  });

  afterAll(async () => {
    for (const c of cores) await c.dispose();
    await network?.close();
  });

  it('demo: with consent, a simulated phone and a findable Carapace account are found; others are NOT_FOUND', async () => {
    const me = core();
    await value(me.service.call('vault.create', { passphrase: PASS }));
    await registerThroughService(me.service, '+15550016201');
    expect((await value(me.service.call('app.info', {}))).capabilities.phoneNumberLookup).toBe(true);

    const phone = await network.createContact('Phone Friend');
    const found = await value(
      me.service.call('conversations.start', { e164: phone.number ?? '', lookupConsent: true }),
    );
    expect(found.serviceId).toBe(phone.aci);

    // Findable: chose "everybody" before registering (sent with the registration).
    const open = core();
    await value(open.service.call('vault.create', { passphrase: PASS }));
    await value(open.service.call('privacy.setDiscoverable', { discoverable: true }));
    const openAci = (await registerThroughService(open.service, '+15550016202')).aci;
    expect(
      (await value(me.service.call('conversations.start', { e164: '+15550016202', lookupConsent: true })))
        .serviceId,
    ).toBe(openAci);

    // Not findable: the default.
    const hidden = core();
    await value(hidden.service.call('vault.create', { passphrase: PASS }));
    await registerThroughService(hidden.service, '+15550016203');
    expect(
      await me.service.call('conversations.start', { e164: '+15550016203', lookupConsent: true }),
    ).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('demo: without consent nothing is sent (PRECONDITION)', async () => {
    const me = cores[0];
    if (!me) throw new Error('no core');
    const before = directoryRequests.length;
    expect(await me.service.call('conversations.start', { e164: '+15550016202' })).toMatchObject({
      ok: false,
      error: { code: 'PRECONDITION' },
    });
    expect(directoryRequests.length).toBe(before);
  });

  it('production: NOT_AVAILABLE suggesting a username, and no request leaves', async () => {
    const prod = core(true);
    await value(prod.service.call('vault.create', { passphrase: PASS }));
    expect((await value(prod.service.call('app.info', {}))).capabilities.phoneNumberLookup).toBe(false);
    const before = directoryRequests.length;
    const result = await prod.service.call('conversations.start', {
      e164: '+15550016202',
      lookupConsent: true,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'NOT_AVAILABLE' } });
    expect(!result.ok && result.error.message).toBe(
      'Finding people by phone number is not available in this build — use a username.',
    );
    expect(directoryRequests.length).toBe(before);
  });

  it('production: no consent is asked where nothing can be looked up — NOT_AVAILABLE, not PRECONDITION', async () => {
    const prod = core(true);
    await value(prod.service.call('vault.create', { passphrase: PASS }));
    const before = directoryRequests.length;
    const result = await prod.service.call('conversations.start', { e164: '+15550016202' });
    expect(result).toMatchObject({ ok: false, error: { code: 'NOT_AVAILABLE' } });
    expect(!result.ok && result.error.message).toMatch(/use a username/);
    expect(directoryRequests.length).toBe(before);
  });
});

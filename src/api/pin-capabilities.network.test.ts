/**
 * Issue 12.1: PIN material never goes to the chat server. Signal's real key backup (SVR2) is an attested
 * enclave this build does not speak, and the demo network's key-backup routes take the access key in the
 * clear — so only a demo configuration may use them. Here a core runs with production's capability set
 * (mode 'production') pointed at the demo server, which records every chat-socket request: `pin.set`,
 * `registrationLock.set` and a registration of a locked number answer NOT_AVAILABLE and send nothing of the
 * PIN, and no key-backup route is ever asked. The demo configuration keeps working (pin-typing test).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import type { ClientConfig } from '../net/config.js';
import { createTestProfile, TEST_KDF, type TestProfile } from '../test-support/vault.js';
import { createCoreService, type CoreService } from './service.js';
import { nextEvent, value } from './test-support/events.js';

const PASS = 'pin capabilities test passphrase 7';
const LOCKED_NUMBER = '+15550004411';
const OTHER_NUMBER = '+15550004412';
/** Key-backup, registration-lock and account-data routes: none may be asked in production. */
const FORBIDDEN = ['/v1/demo-svr', '/v2/backup', '/v1/accounts/registration_lock', '/v1/demo-storage'];

interface Recorded {
  readonly verb: string;
  readonly path: string;
  readonly body: Buffer;
}

describe('PIN backup and registration lock with the production capability set', () => {
  let network: DemoNetwork;
  const profiles: TestProfile[] = [];
  const services: CoreService[] = [];
  const recorded: Recorded[] = [];
  let production: ClientConfig;
  let pin = '';

  function core(config: ClientConfig): CoreService {
    const profile = createTestProfile();
    profiles.push(profile);
    const service = createCoreService({
      profileDir: profile.dir,
      networkConfig: config,
      vault: { kdf: TEST_KDF },
    });
    services.push(service);
    return service;
  }

  async function register(service: CoreService, e164: string): Promise<string> {
    const step = await value(service.call('account.startRegistration', { e164 }));
    await value(
      service.call('account.submitCaptcha', { sessionId: step.sessionId, captcha: 'demo-captcha' }),
    );
    return step.sessionId;
  }

  function forbiddenRequests(): string[] {
    return recorded
      .filter((r) => FORBIDDEN.some((prefix) => r.path.startsWith(prefix)))
      .map((r) => `${r.verb} ${r.path}`);
  }

  beforeAll(async () => {
    network = await startDemoNetwork();
    production = { ...network.config, mode: 'production' };
    // Every chat-socket request the server sees (the demo server's request hook calls this first).
    const intercept = network.server.interceptRequest.bind(network.server);
    network.server.interceptRequest = (device, request) => {
      recorded.push({
        verb: request.verb ?? '',
        path: request.path ?? '',
        body: Buffer.from(request.body ?? []),
      });
      return intercept(device, request);
    };

    // The number's owner, on the demo network: PIN and registration lock set as today.
    const owner = core(network.config);
    await value(owner.call('vault.create', { passphrase: PASS }));
    const sessionId = await register(owner, LOCKED_NUMBER);
    await value(owner.call('account.submitCode', { sessionId, code: '111111' }));
    pin = (await value(owner.call('pin.generate', {}))).pin;
    await value(owner.call('pin.set', { pin }));
    expect((await value(owner.call('registrationLock.set', { enabled: true }))).registrationLock).toBe(true);
    expect(forbiddenRequests().length).toBeGreaterThan(0); // the recorder sees the demo key backup
    await owner.close();
    recorded.length = 0;
  });

  afterAll(async () => {
    for (const service of services) await service.close();
    await network?.close();
    for (const profile of profiles) profile.dispose();
  });

  it('app.info says which capabilities the build has', async () => {
    const demo = await value(core(network.config).call('app.info', {}));
    expect(demo.capabilities).toEqual({
      pinBackup: true,
      registrationLock: true,
      phoneNumberLookup: true,
      workshop: true,
    });
    const prod = await value(core(production).call('app.info', {}));
    expect(prod.capabilities).toEqual({
      pinBackup: false,
      registrationLock: false,
      phoneNumberLookup: false,
      workshop: false,
    });
  });

  it('registering a locked number: NOT_AVAILABLE, and the PIN goes nowhere', async () => {
    const service = core(production);
    await value(service.call('vault.create', { passphrase: PASS }));
    const sessionId = await register(service, LOCKED_NUMBER);
    const locked = await service.call('account.submitCode', { sessionId, code: '111111' });
    expect(locked).toMatchObject({ ok: false, error: { code: 'NOT_AVAILABLE' } });
    // A PIN offered anyway has no registration to go to.
    const answered = await service.call('account.submitPin', { sessionId, pin });
    expect(answered).toMatchObject({ ok: false });
    expect(forbiddenRequests()).toEqual([]);
    for (const request of recorded) expect(request.body.includes(Buffer.from(pin))).toBe(false);
  });

  it('pin.set and registrationLock.set answer NOT_AVAILABLE without a request', async () => {
    const service = core(production);
    await value(service.call('vault.create', { passphrase: PASS }));
    const online = nextEvent(service, 'network.status', (p) => p.status === 'online');
    const sessionId = await register(service, OTHER_NUMBER);
    await value(service.call('account.submitCode', { sessionId, code: '111111' }));
    await online;
    recorded.length = 0;

    const set = await service.call('pin.set', { pin });
    expect(set).toMatchObject({
      ok: false,
      error: { code: 'NOT_AVAILABLE', message: 'PIN backup is not available in this build.' },
    });
    expect(await service.call('registrationLock.set', { enabled: true })).toMatchObject({
      ok: false,
      error: { code: 'NOT_AVAILABLE' },
    });
    expect(await service.call('registrationLock.set', { enabled: false })).toMatchObject({
      ok: false,
      error: { code: 'NOT_AVAILABLE' },
    });
    expect(forbiddenRequests()).toEqual([]);
    for (const request of recorded) expect(request.body.includes(Buffer.from(pin))).toBe(false);
    expect(await value(service.call('account.status', {}))).toMatchObject({
      pinSet: false,
      registrationLock: false,
    });
    // The hardening report says why instead of asking for a PIN that cannot be set.
    const audit = await value(service.call('audit.get', {}));
    expect(audit.items.find((i) => i.id === 'pin-set')?.advice).toMatch(/not available in this build/i);
  });
});

/**
 * Shared by the API's tests: a core service on a throw-away profile, and registration through the API on
 * the demo network. Named like src/test-support: `createTest*()` returns a handle whose `dispose()` closes
 * what it opened; plain verbs own nothing. The demo network and proxies stay with each test (they differ).
 */
import { createTestProfile, TEST_KDF, type TestProfile } from '../../test-support/vault.js';
import type { AccountStatus } from '../contract.js';
import { createCoreService, type CoreService, type CoreServiceOptions } from '../service.js';
import { nextEvent, value } from './events.js';

export interface TestCore {
  readonly service: CoreService;
  readonly profile: TestProfile;
  /** Closes the service, then deletes the profile (safe to call twice). */
  dispose(): Promise<void>;
}

/** A core service with TEST_KDF on a new test profile; its vault is not created yet. */
export function createTestCore(options: Omit<CoreServiceOptions, 'profileDir' | 'vault'> = {}): TestCore {
  const profile = createTestProfile();
  const service = createCoreService({ ...options, profileDir: profile.dir, vault: { kdf: TEST_KDF } });
  let disposed = false;
  return {
    service,
    profile,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await service.close();
      profile.dispose();
    },
  };
}

/**
 * Registers `e164` through the API with the demo network's captcha and code, and waits until the client is
 * online. The unlocked vault must exist; resolves with submitCode's answer.
 */
export async function registerThroughService(service: CoreService, e164: string): Promise<AccountStatus> {
  const step = await value(service.call('account.startRegistration', { e164 }));
  await value(service.call('account.submitCaptcha', { sessionId: step.sessionId, captcha: 'demo-captcha' }));
  const online = nextEvent(service, 'network.status', (p) => p.status === 'online');
  const account = await value(
    service.call('account.submitCode', { sessionId: step.sessionId, code: '111111' }),
  );
  await online;
  return account;
}

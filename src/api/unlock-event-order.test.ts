/**
 * The UI loads its screens when it hears `vault.unlocked` (renderer/bridge.ts). The event must therefore mean
 * "the session is open": announced by the vault before the session existed, a window that asked at once got
 * VAULT_LOCKED and stayed on "Loading settings…".
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiResult } from './contract.js';
import { createTestCore, type TestCore } from './test-support/core.js';
import { value } from './test-support/events.js';

let core: TestCore | undefined;
afterEach(async () => {
  await core?.dispose();
  core = undefined;
});

describe('vault.unlocked', () => {
  it.each(['create', 'unlock'] as const)(
    'after %s, a command sent on the event finds the session open',
    async (how) => {
      core = createTestCore();
      const { service } = core;
      const passphrase = 'event order passphrase, long enough';
      if (how === 'unlock') {
        await value(service.call('vault.create', { passphrase }));
        await value(service.call('vault.lock', {}));
      }
      const answers: Promise<ApiResult<unknown>>[] = [];
      service.onEvent((event) => {
        if (event === 'vault.unlocked') answers.push(service.call('settings.get', {}));
      });
      if (how === 'create') await value(service.call('vault.create', { passphrase }));
      else await value(service.call('vault.unlock', { passphrase }));
      expect(answers).toHaveLength(1);
      const [answer] = await Promise.all(answers);
      expect(answer?.ok ? 'ok' : answer?.error.code).toBe('ok');
    },
  );
});

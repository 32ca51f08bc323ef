/**
 * Issue 12.11: the README's insecure no-passphrase mode is reachable through the API — created only by an
 * explicit `insecureNoPassphrase: true`, unlocked without a passphrase, reported by vault.status and counted
 * by the hardening report, and left by setting a passphrase.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CoreService } from './service.js';
import { createTestCore, type TestCore } from './test-support/core.js';

const PASS = 'a passphrase set later 42';

describe('no-passphrase mode through the API', () => {
  let core: TestCore;
  let service: CoreService;

  beforeEach(() => {
    core = createTestCore();
    service = core.service;
  });

  afterEach(async () => {
    await core.dispose();
  });

  it('is an explicit choice: never together with a passphrase, never by omission', async () => {
    for (const input of [
      {},
      { insecureNoPassphrase: false },
      { passphrase: PASS, insecureNoPassphrase: true },
    ]) {
      expect(await service.call('vault.create', input as never)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT' },
      });
    }
    expect(await service.call('vault.status', {})).toEqual({
      ok: true,
      value: { state: 'uninitialized', insecureNoPassphrase: false },
    });
  });

  it('creates, unlocks without a passphrase, is counted by the audit, and is left by setting one', async () => {
    expect(await service.call('vault.create', { insecureNoPassphrase: true })).toEqual({
      ok: true,
      value: {},
    });
    expect(await service.call('vault.status', {})).toEqual({
      ok: true,
      value: { state: 'unlocked', insecureNoPassphrase: true },
    });
    const audit = await service.call('audit.get', {});
    expect(audit.ok && audit.value.items.find((i) => i.id === 'passphrase')?.status).not.toBe('ok');

    await service.call('vault.lock', {});
    expect(await service.call('vault.unlock', {})).toEqual({ ok: true, value: {} });

    // Leaving the mode: there is no current passphrase to give.
    expect(await service.call('vault.changePassphrase', { next: PASS })).toEqual({ ok: true, value: {} });
    expect(await service.call('vault.status', {})).toEqual({
      ok: true,
      value: { state: 'unlocked', insecureNoPassphrase: false },
    });
    await service.call('vault.lock', {});
    expect(await service.call('vault.unlock', {})).toMatchObject({
      ok: false,
      error: { code: 'PRECONDITION' },
    });
    expect(await service.call('vault.unlock', { passphrase: PASS })).toEqual({ ok: true, value: {} });
    // A passphrase vault needs its current passphrase to change it (no guess is counted for a missing one).
    expect(await service.call('vault.changePassphrase', { next: `${PASS}!` })).toMatchObject({
      ok: false,
      error: { code: 'PRECONDITION' },
    });
  });
});

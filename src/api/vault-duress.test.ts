/**
 * Issue 18 through the API: the duress passphrase is set with the current one, and entered at unlock it
 * answers like the real one while the vault is erased and a fresh, empty profile opens; the panic wipe
 * needs the typed confirmation and leaves an uninitialized profile. Real core, real SQLCipher files.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setLogSink } from '../log.js';
import type { CoreService } from './service.js';
import { createTestCore, type TestCore } from './test-support/core.js';

const PASS = 'the real passphrase for the api';
const DURESS = 'the duress passphrase for the api';

let core: TestCore;
let service: CoreService;
beforeEach(async () => {
  setLogSink(() => undefined);
  core = createTestCore();
  service = core.service;
  expect(await service.call('vault.create', { passphrase: PASS })).toEqual({ ok: true, value: {} });
});
afterEach(async () => {
  await core.dispose();
  setLogSink(undefined, 'warn');
});

describe('vault duress and panic commands', () => {
  it('sets the duress passphrase (current one required, must differ) and a duress unlock opens a fresh profile', async () => {
    expect(
      await service.call('vault.setDuressPassphrase', { current: 'not it at all', duress: DURESS }),
    ).toMatchObject({ ok: false, error: { code: 'WRONG_PASSPHRASE' } });
    expect(await service.call('vault.setDuressPassphrase', { current: PASS, duress: PASS })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await service.call('vault.setDuressPassphrase', { current: PASS, duress: 'short' })).toMatchObject(
      {
        ok: false,
        error: { code: 'INVALID_INPUT' },
      },
    );
    expect(await service.call('vault.setDuressPassphrase', { current: PASS, duress: DURESS })).toEqual({
      ok: true,
      value: {},
    });
    expect(await service.call('vault.status', {})).toMatchObject({ value: { duressPassphraseSet: true } });
    await service.call('vault.lock', {});

    expect(await service.call('vault.unlock', { passphrase: DURESS })).toEqual({ ok: true, value: {} });
    // Like any fresh profile: no duress passphrase, nothing else set.
    const status = await service.call('vault.status', {});
    expect(status).toMatchObject({ ok: true, value: { state: 'unlocked', insecureNoPassphrase: false } });
    expect(status.ok && Object.keys(status.value).sort()).toEqual(['insecureNoPassphrase', 'kdf', 'state']);
    expect(await service.call('account.status', {})).toMatchObject({
      ok: true,
      value: { registered: false },
    });
    await service.call('vault.lock', {});
    expect(await service.call('vault.unlock', { passphrase: PASS })).toMatchObject({
      ok: false,
      error: { code: 'WRONG_PASSPHRASE' },
    });
    expect(await service.call('vault.unlock', { passphrase: DURESS })).toEqual({ ok: true, value: {} });
  });

  it('clears the duress passphrase with the current one', async () => {
    await service.call('vault.setDuressPassphrase', { current: PASS, duress: DURESS });
    expect(await service.call('vault.clearDuressPassphrase', { current: PASS })).toEqual({
      ok: true,
      value: {},
    });
    const status = await service.call('vault.status', {});
    expect(status.ok && status.value.duressPassphraseSet).toBeUndefined();
  });

  it('the hardening report says what a passphrase guess costs an attacker per core', async () => {
    const report = await service.call('audit.get', {});
    const item = report.ok ? report.value.items.find((i) => i.id === 'kdf-cost') : undefined;
    // TEST_KDF is cheap on purpose: the report calls it out and points to the recalibration.
    expect(item).toMatchObject({ status: 'advice', autoFixable: false });
    expect(item?.advice).toMatch(/^A guess costs an attacker only about \d+ ms per core\./);
  });

  it('the panic wipe needs the typed confirmation, erases, and the profile starts over', async () => {
    expect(await service.call('vault.erase', { confirmation: 'yes' } as never)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
    expect(await service.call('vault.status', {})).toMatchObject({ value: { state: 'unlocked' } });
    expect(await service.call('vault.setPanicWithoutPassphrase', { enabled: true })).toEqual({
      ok: true,
      value: {},
    });
    expect(await service.call('vault.status', {})).toMatchObject({ value: { panicWithoutPassphrase: true } });
    expect(await service.call('vault.erase', { confirmation: 'ERASE' })).toEqual({ ok: true, value: {} });
    expect(await service.call('vault.status', {})).toEqual({
      ok: true,
      value: { state: 'uninitialized', insecureNoPassphrase: false },
    });
    expect(await service.call('vault.unlock', { passphrase: PASS })).toMatchObject({
      ok: false,
      error: { code: 'VAULT_NOT_INITIALIZED' },
    });
    expect(await service.call('vault.create', { passphrase: PASS })).toEqual({ ok: true, value: {} });
  });
});

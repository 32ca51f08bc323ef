import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as E from '../errors.js';
import {
  COMMANDS,
  COMMAND_NAMES,
  ERROR_EXPLANATIONS,
  EVENTS,
  buildCarapaceApi,
  explainError,
  isCommandName,
  type CommandName,
} from './contract.js';

const ERROR_CODES = Object.keys(ERROR_EXPLANATIONS);

describe('api contract', () => {
  it('builds one domain method per command and routes it to the transport', async () => {
    const calls: [CommandName, unknown][] = [];
    const api = buildCarapaceApi(
      (command, input) => {
        calls.push([command, input]);
        return Promise.resolve({ ok: true, value: { state: 'locked', insecureNoPassphrase: false } });
      },
      () => () => {},
    );
    const status = await api.vault.status();
    expect(status).toEqual({ ok: true, value: { state: 'locked', insecureNoPassphrase: false } });
    await api.vault.unlock({ passphrase: 'x' });
    expect(calls).toEqual([
      ['vault.status', {}],
      ['vault.unlock', { passphrase: 'x' }],
    ]);
    for (const name of COMMAND_NAMES) {
      const [ns, method] = name.split('.') as [string, string];
      const group = (api as unknown as Record<string, Record<string, unknown>>)[ns];
      expect(typeof group?.[method], name).toBe('function');
    }
  });

  it('refuses unknown events in on()', () => {
    const api = buildCarapaceApi(
      () => Promise.resolve({ ok: true, value: {} }),
      () => () => {},
    );
    expect(() => api.on('nope' as 'toast', () => {})).toThrow(TypeError);
    expect(typeof api.on('vault.locked', () => {})).toBe('function');
    expect(Object.keys(EVENTS)).toContain('vault.locked');
  });

  it('rejects malformed input at the boundary', () => {
    expect(COMMANDS['vault.create'].input.safeParse({ passphrase: 'short' }).success).toBe(false);
    expect(COMMANDS['vault.create'].input.safeParse({ passphrase: 'long enough pass' }).success).toBe(true);
    expect(COMMANDS['vault.unlock'].input.safeParse({ passphrase: 'x', extra: 1 }).success).toBe(false);
    expect(COMMANDS['account.startRegistration'].input.safeParse({ e164: '5551234' }).success).toBe(false);
    expect(COMMANDS['account.startRegistration'].input.safeParse({ e164: '+15551234567' }).success).toBe(
      true,
    );
    expect(COMMANDS['account.submitCode'].input.safeParse({ sessionId: 's', code: '12a456' }).success).toBe(
      false,
    );
    expect(COMMANDS['messages.page'].input.safeParse({ conversationId: 'c', limit: 100000 }).success).toBe(
      false,
    );
    expect(COMMANDS['messages.send'].input.safeParse({ conversationId: 'c', body: '   ' }).success).toBe(
      false,
    );
    expect(COMMANDS['settings.update'].input.safeParse({ patch: { linkPreviews: 'yes' } }).success).toBe(
      false,
    );
    expect(
      COMMANDS['settings.update'].input.safeParse({
        patch: { proxy: { mode: 'socks5', host: 'a b', port: 0 } },
      }).success,
    ).toBe(false);
    expect(
      COMMANDS['conversation.setDisappearingTimer'].input.safeParse({ conversationId: 'c', seconds: 7 })
        .success,
    ).toBe(false);
    expect(isCommandName('vault.unlock')).toBe(true);
    expect(isCommandName('__proto__')).toBe(false);
    expect(isCommandName('constructor')).toBe(false);
  });

  it('explains every error code, with a generic line for unknown codes', () => {
    for (const code of ERROR_CODES) expect(explainError(code).length).toBeGreaterThan(10);
    expect(explainError('SOMETHING_NEW')).toBe(explainError('INTERNAL'));
    expect(ERROR_CODES).toContain('WRONG_PASSPHRASE');
    expect(ERROR_CODES).toContain('NOT_AVAILABLE');
  });

  it('says each fixed-wording error in one sentence, its message the same as its explanation (shown once)', () => {
    const fixed = [
      new E.VaultLockedError(),
      new E.WrongPassphraseError(0),
      new E.UnlockThrottledError(2000),
      new E.VaultNotInitializedError(),
      new E.VaultAlreadyExistsError(),
      new E.ProfileInUseError(),
      new E.UntrustedIdentityError('c'),
      new E.RegistrationLockedError(0),
      new E.VerificationCodeError(),
      new E.WrongPinError(3),
      new E.KeyBackupUnavailableError('deleted'),
      new E.KeyBackupUnavailableError('missing'),
      new E.AlreadyViewedError(),
      new E.VaultFileNotFoundError(),
      new E.BlockedError(),
      new E.NotConnectedError(),
      new E.LinkPreviewError('timeout'),
    ];
    for (const error of fixed) {
      expect(error.message, error.code).toBe(explainError(error.code));
      expect(error.message.split(/(?<=\.)\s+/), error.code).toHaveLength(1);
    }
  });

  it('has an explanation for every CarapaceError code in src/errors.ts', () => {
    const source = readFileSync(new URL('../errors.ts', import.meta.url), 'utf8');
    const codes = [...source.matchAll(/readonly code = '([A-Z_]+)'/g)].map((m) => m[1]);
    expect(codes.length).toBeGreaterThan(10);
    for (const code of codes) expect(ERROR_CODES, code).toContain(code);
  });
});

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { COMMANDS, COMMAND_NAMES, EVENT_NAMES } from '../src/api/contract.js';
import { VaultLockedError, WrongPassphraseError } from '../src/errors.js';
import { commandChannel, eventChannel, isContractName } from './channels.js';
import {
  FORBIDDEN_SENDER,
  INTERNAL_ERROR,
  INVALID_INPUT,
  UNKNOWN_COMMAND,
  createCommandDispatcher,
  isTrustedSender,
  type ApiResult,
  type SenderFacts,
} from './ipc-validation.js';

const ours: SenderFacts = {
  frameUrl: 'app://carapace/index.html',
  isTopLevelFrame: true,
  fromOurWindow: true,
};

/** A fake core: records what reached it and answers as the core service does. */
function fakeCore(answer: (command: string, input: unknown) => Promise<ApiResult<unknown>>) {
  const calls: { command: string; input: unknown }[] = [];
  return {
    calls,
    call: async (command: string, input: unknown) => {
      calls.push({ command, input });
      return answer(command, input);
    },
  };
}

describe('isTrustedSender', () => {
  it('accepts only our window’s top-level frame on app://carapace', () => {
    expect(isTrustedSender(ours)).toBe(true);
    expect(isTrustedSender({ ...ours, frameUrl: 'app://carapace/index.html#/chat/1' })).toBe(true);
  });

  it('rejects foreign origins, file://, subframes, other windows and vanished frames', () => {
    const rejected: SenderFacts[] = [
      { ...ours, frameUrl: 'https://evil.example/' },
      { ...ours, frameUrl: 'http://127.0.0.1:5173/' },
      { ...ours, frameUrl: 'file:///work/main/dist/renderer/index.html' },
      { ...ours, frameUrl: 'app://evil/index.html' },
      { ...ours, frameUrl: 'app://user@carapace/index.html' },
      { ...ours, frameUrl: 'about:blank' },
      { ...ours, frameUrl: 'data:text/html,hi' },
      { ...ours, frameUrl: undefined },
      { ...ours, frameUrl: '' },
      { ...ours, isTopLevelFrame: false },
      { ...ours, fromOurWindow: false },
    ];
    for (const facts of rejected) expect(isTrustedSender(facts), JSON.stringify(facts)).toBe(false);
  });
});

describe('channels', () => {
  it('derives one channel per contract command and event, and refuses other names', () => {
    const channels = new Set([...COMMAND_NAMES.map(commandChannel), ...EVENT_NAMES.map(eventChannel)]);
    expect(channels.size).toBe(COMMAND_NAMES.length + EVENT_NAMES.length);
    expect(commandChannel('vault.unlock')).toBe('carapace:cmd:vault.unlock');
    expect(eventChannel('vault.locked')).toBe('carapace:evt:vault.locked');
    for (const bad of ['', '__proto__.x', 'a:b', '../x', 'vault.unlock ', 'x'.repeat(80)]) {
      expect(isContractName(bad), bad).toBe(false);
      expect(() => commandChannel(bad)).toThrow(TypeError);
    }
  });
});

describe('createCommandDispatcher over the real contract', () => {
  it('allowlists exactly the contract commands', () => {
    const dispatcher = createCommandDispatcher(COMMANDS, () => Promise.resolve({ ok: true, value: {} }));
    expect(dispatcher.routes.map((route) => route.command)).toEqual(COMMAND_NAMES);
  });

  it('passes valid input to the core and returns its value', async () => {
    const core = fakeCore(() => Promise.resolve({ ok: true, value: {} }));
    const dispatcher = createCommandDispatcher(COMMANDS, core.call);
    const result = await dispatcher.dispatch('vault.unlock', ours, [{ passphrase: 'correct horse battery' }]);
    expect(result).toEqual({ ok: true, value: {} });
    expect(core.calls).toEqual([{ command: 'vault.unlock', input: { passphrase: 'correct horse battery' } }]);
  });

  it('invalid input → INVALID_INPUT without calling the core, and the message does not echo the value', async () => {
    const core = fakeCore(() => Promise.resolve({ ok: true, value: {} }));
    const dispatcher = createCommandDispatcher(COMMANDS, core.call);
    const secret = 'sekrit-passphrase-that-must-not-echo';
    const cases: unknown[][] = [
      [{ passphrase: 42 }],
      [{ passphrase: secret, extra: secret }],
      [secret],
      [null],
      [{ passphrase: 'x' }, { more: 1 }],
    ];
    for (const args of cases) {
      const result = await dispatcher.dispatch('vault.unlock', ours, args);
      expect(result.ok, JSON.stringify(args)).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe(INVALID_INPUT);
        expect(result.error.message).not.toContain(secret);
      }
    }
    const phone = await dispatcher.dispatch('account.startRegistration', ours, [
      { e164: '0099-not-a-number' },
    ]);
    expect(phone.ok).toBe(false);
    if (!phone.ok) expect(phone.error.message).not.toContain('0099');
    expect(core.calls).toEqual([]);
  });

  it('rejects an untrusted sender before parsing or calling the core', async () => {
    const core = fakeCore(() => Promise.resolve({ ok: true, value: {} }));
    const dispatcher = createCommandDispatcher(COMMANDS, core.call);
    for (const sender of [
      { ...ours, frameUrl: 'https://evil.example/' },
      { ...ours, isTopLevelFrame: false },
      { ...ours, frameUrl: 'file:///tmp/index.html' },
    ]) {
      const result = await dispatcher.dispatch('vault.lock', sender, [{}]);
      expect(result).toMatchObject({ ok: false, error: { code: FORBIDDEN_SENDER } });
    }
    expect(core.calls).toEqual([]);
  });

  it('refuses commands outside the allowlist', async () => {
    const core = fakeCore(() => Promise.resolve({ ok: true, value: {} }));
    const dispatcher = createCommandDispatcher(COMMANDS, core.call);
    for (const command of ['vault.dropEverything', 'constructor', '__proto__', 'toString']) {
      expect(await dispatcher.dispatch(command, ours, [{}])).toMatchObject({
        ok: false,
        error: { code: UNKNOWN_COMMAND },
      });
    }
    expect(core.calls).toEqual([]);
  });

  it('maps a typed error thrown by the core to its code and message', async () => {
    const dispatcher = createCommandDispatcher(COMMANDS, async (command) => {
      await Promise.resolve();
      if (command === 'vault.unlock') throw new WrongPassphraseError(1500);
      throw new VaultLockedError();
    });
    expect(await dispatcher.dispatch('vault.unlock', ours, [{ passphrase: 'nope nope' }])).toEqual({
      ok: false,
      error: { code: 'WRONG_PASSPHRASE', message: 'That passphrase is not correct.', retryAfterMs: 1500 },
    });
    expect(await dispatcher.dispatch('conversations.list', ours, [{}])).toEqual({
      ok: false,
      error: { code: 'VAULT_LOCKED', message: new VaultLockedError().message },
    });
  });

  it('passes the core service’s own error results through', async () => {
    const dispatcher = createCommandDispatcher(COMMANDS, () =>
      Promise.resolve({
        ok: false,
        error: { code: 'NOT_AVAILABLE', message: 'Not in this build.' },
      }),
    );
    expect(await dispatcher.dispatch('pin.generate', ours, [{}])).toEqual({
      ok: false,
      error: { code: 'NOT_AVAILABLE', message: 'Not in this build.' },
    });
  });

  it('turns unknown errors and malformed core answers into a generic error that leaks nothing', async () => {
    const internal = '/home/user/.config/Carapace/profile/vault.db: SQLITE_CORRUPT key=abcdef';
    const throwing = createCommandDispatcher(COMMANDS, async () => {
      await Promise.resolve();
      throw new Error(internal);
    });
    const result = await throwing.dispatch('conversations.list', ours, [{}]);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(INTERNAL_ERROR);
      expect(result.error.message).not.toContain('SQLITE');
      expect(result.error.message).not.toContain('/home');
    }
    const malformed = createCommandDispatcher(COMMANDS, () => Promise.resolve({ value: internal }) as never);
    expect(await malformed.dispatch('conversations.list', ours, [{}])).toMatchObject({
      ok: false,
      error: { code: INTERNAL_ERROR },
    });
  });

  it('checks the core output against the contract and strips fields it does not name', async () => {
    const table = {
      'demo.echo': { input: z.strictObject({ n: z.number() }), output: z.object({ n: z.number() }) },
    };
    const leaky = createCommandDispatcher(table, () =>
      Promise.resolve({
        ok: true,
        value: { n: 1, dbKey: 'deadbeef' },
      }),
    );
    expect(await leaky.dispatch('demo.echo', ours, [{ n: 1 }])).toEqual({ ok: true, value: { n: 1 } });
    const wrong = createCommandDispatcher(table, () => Promise.resolve({ ok: true, value: { n: 'one' } }));
    expect(await wrong.dispatch('demo.echo', ours, [{ n: 1 }])).toMatchObject({
      ok: false,
      error: { code: INTERNAL_ERROR },
    });
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMAND_NAMES, EVENTS, type ApiResult } from '../src/api/contract.js';
import { createCoreService, type CoreService } from '../src/api/service.js';
import { createTestProfile, TEST_KDF, type TestProfile } from '../src/test-support/vault.js';
import { commandChannel, eventChannel, isContractName } from './channels.js';
import { createCommandDispatcher, type SenderFacts } from './ipc-validation.js';

const INVALID_INPUT = 'INVALID_INPUT';
const FORBIDDEN_SENDER = 'FORBIDDEN_SENDER';
const UNKNOWN_COMMAND = 'UNKNOWN_COMMAND';

const ours: SenderFacts = {
  frameUrl: 'app://carapace/index.html',
  isTopLevelFrame: true,
  fromOurWindow: true,
};

/** A recording core: what reached it, answered as the core service answers. */
function recordingCore(answer: (command: string, input: unknown) => Promise<ApiResult<unknown>>) {
  const calls: { command: string; input: unknown }[] = [];
  return {
    calls,
    call: async (command: string, input: unknown) => {
      calls.push({ command, input });
      return answer(command, input);
    },
  };
}

describe('the sender check', () => {
  /** Whether a call from `facts` reaches the core. */
  async function reachesCore(facts: SenderFacts): Promise<boolean> {
    const core = recordingCore(() => Promise.resolve({ ok: true, value: {} }));
    const result = await createCommandDispatcher(COMMAND_NAMES, core.call).dispatch('vault.status', facts, [
      {},
    ]);
    if (!result.ok) expect(result.error.code).toBe(FORBIDDEN_SENDER);
    return core.calls.length === 1;
  }

  it('accepts only our window’s top-level frame on app://carapace', async () => {
    expect(await reachesCore(ours)).toBe(true);
    expect(await reachesCore({ ...ours, frameUrl: 'app://carapace/index.html#/chat/1' })).toBe(true);
  });

  it('rejects foreign origins, file://, subframes, other windows and vanished frames', async () => {
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
    for (const facts of rejected) expect(await reachesCore(facts), JSON.stringify(facts)).toBe(false);
  });
});

describe('channels', () => {
  it('derives one channel per contract command and event, and refuses other names', () => {
    const channels = new Set([
      ...COMMAND_NAMES.map(commandChannel),
      ...Object.keys(EVENTS).map(eventChannel),
    ]);
    expect(channels.size).toBe(COMMAND_NAMES.length + Object.keys(EVENTS).length);
    expect(commandChannel('vault.unlock')).toBe('carapace:cmd:vault.unlock');
    expect(eventChannel('vault.locked')).toBe('carapace:evt:vault.locked');
    for (const bad of ['', '__proto__.x', 'a:b', '../x', 'vault.unlock ', 'x'.repeat(80)]) {
      expect(isContractName(bad), bad).toBe(false);
      expect(() => commandChannel(bad)).toThrow(TypeError);
    }
  });
});

describe('createCommandDispatcher', () => {
  it('allowlists exactly the contract commands', () => {
    const dispatcher = createCommandDispatcher(COMMAND_NAMES, () => Promise.resolve({ ok: true, value: {} }));
    expect(dispatcher.routes.map((route) => route.command)).toEqual(COMMAND_NAMES);
  });

  it('refuses commands outside the allowlist and more than one argument', async () => {
    const core = recordingCore(() => Promise.resolve({ ok: true, value: {} }));
    const dispatcher = createCommandDispatcher(COMMAND_NAMES, core.call);
    for (const command of ['vault.dropEverything', 'constructor', '__proto__', 'toString']) {
      expect(await dispatcher.dispatch(command, ours, [{}])).toMatchObject({
        ok: false,
        error: { code: UNKNOWN_COMMAND },
      });
    }
    expect(await dispatcher.dispatch('vault.lock', ours, [{}, { more: 1 }])).toMatchObject({
      ok: false,
      error: { code: INVALID_INPUT },
    });
    expect(core.calls).toEqual([]);
  });

  it('turns a throw into a generic error that leaks nothing', async () => {
    const internal = '/home/user/.config/Carapace/profile/vault.db: SQLITE_CORRUPT key=abcdef';
    const throwing = createCommandDispatcher(COMMAND_NAMES, async () => {
      await Promise.resolve();
      throw new Error(internal);
    });
    const result = await throwing.dispatch('conversations.list', ours, [{}]);
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(result)).not.toContain('SQLITE');
    expect(JSON.stringify(result)).not.toContain('/home');
  });
});

describe('createCommandDispatcher over the real core service (the one place input is parsed)', () => {
  let profile: TestProfile;
  let service: CoreService;
  let dispatcher: ReturnType<typeof createCommandDispatcher>;

  beforeEach(() => {
    profile = createTestProfile();
    service = createCoreService({ profileDir: profile.dir, vault: { kdf: TEST_KDF } });
    dispatcher = createCommandDispatcher(COMMAND_NAMES, (command, input) => service.invoke(command, input));
  });

  afterEach(async () => {
    await service.close();
    profile.dispose();
  });

  it('passes valid input to the core and returns its value', async () => {
    expect(await dispatcher.dispatch('vault.status', ours, [{}])).toEqual({
      ok: true,
      value: { state: 'uninitialized', insecureNoPassphrase: false },
    });
  });

  it('invalid input → INVALID_INPUT from the service, and the message does not echo the value', async () => {
    const secret = 'sekrit-passphrase-that-must-not-echo';
    for (const args of [[{ passphrase: 42 }], [{ passphrase: secret, extra: secret }], [secret]]) {
      const result = await dispatcher.dispatch('vault.unlock', ours, args);
      expect(result, JSON.stringify(args)).toMatchObject({ ok: false, error: { code: INVALID_INPUT } });
      expect(JSON.stringify(result)).not.toContain(secret);
    }
    // No input at all: creating a vault needs a passphrase or the explicit insecure choice.
    expect(await dispatcher.dispatch('vault.create', ours, [null])).toMatchObject({
      ok: false,
      error: { code: INVALID_INPUT },
    });
    const phone = await dispatcher.dispatch('account.startRegistration', ours, [
      { e164: '0099-not-a-number' },
    ]);
    expect(phone).toMatchObject({ ok: false, error: { code: INVALID_INPUT } });
    expect(JSON.stringify(phone)).not.toContain('0099');
    expect(await dispatcher.dispatch('vault.status', ours, [{}])).toMatchObject({
      value: { state: 'uninitialized' },
    });
  });

  it('passes the service’s typed errors through with their facts', async () => {
    expect(await dispatcher.dispatch('conversations.list', ours, [{}])).toEqual({
      ok: false,
      error: { code: 'VAULT_LOCKED', message: 'Carapace is locked; unlock it with your passphrase.' },
    });
  });
});

import { describe, expect, it } from 'vitest';
import { COMMANDS } from './contract.js';
import { invalidInput } from './errors.js';

function refusal(command: keyof typeof COMMANDS, input: unknown) {
  const parsed = COMMANDS[command].input.safeParse(input);
  if (parsed.success) throw new Error('expected a refusal');
  return invalidInput(parsed.error);
}

describe('invalidInput', () => {
  it('names the field inside a union by the branch that came closest, never the value', () => {
    const error = refusal('settings.update', {
      patch: { proxy: { mode: 'socks5', host: '127.0.0.1', port: null } },
    });
    expect(error.fields).toEqual(['patch.proxy.port']);
    expect(error.message).not.toContain('127.0.0.1');
  });

  it('names a top-level field', () => {
    const error = refusal('account.startRegistration', { e164: '0099-not-a-number' });
    expect(error.fields).toEqual(['e164']);
    expect(JSON.stringify(error)).not.toContain('0099');
  });
});

import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { errorFields } from './log.js';

function withStack(stack: string, message = 'boom'): Error {
  const error = new TypeError(message);
  error.stack = stack;
  return error;
}

describe('errorFields', () => {
  it('gives an unexpected error its first stack frame relative to the project, without the message', () => {
    const error = new TypeError('secret +15551234567 in the message');
    const fields = errorFields(error);
    expect(fields.errorName).toBe('TypeError');
    expect(fields.at).toMatch(/^src\/log\.test\.ts:\d+:\d+$/);
    expect(JSON.stringify(fields)).not.toContain('secret');
    expect(JSON.stringify(fields)).not.toContain('/home');
  });

  it('cuts absolute and file:// paths to the repository folder, or to the file name outside it', () => {
    expect(
      errorFields(withStack('TypeError: boom\n    at open (/home/alice/carapace/src/vault/vault.ts:12:5)'))
        .at,
    ).toBe('src/vault/vault.ts:12:5');
    expect(errorFields(withStack('TypeError: boom\n    at file:///Users/bob/app/main/index.js:3:9')).at).toBe(
      'main/index.js:3:9',
    );
    expect(
      errorFields(withStack('TypeError: boom\n    at x (/opt/app/node_modules/zod/index.js:1:2)')).at,
    ).toBe('node_modules/zod/index.js:1:2');
    expect(errorFields(withStack('TypeError: boom\n    at y (/tmp/elsewhere/thing.js:7:1)')).at).toBe(
      'thing.js:7:1',
    );
    expect(errorFields(withStack('TypeError: boom\n    at node:internal/fs/utils:351:5')).at).toBe(
      'node:internal/fs/utils:351:5',
    );
  });

  it('never reads a frame out of a multi-line message', () => {
    const message = 'first\n    at /home/alice/secret-place/src/x.ts:1:1';
    const error = withStack(`TypeError: ${message}\n    at z (/srv/app/src/real.ts:4:2)`, message);
    expect(errorFields(error).at).toBe('src/real.ts:4:2');
    expect(errorFields(withStack('something unusual', message)).at).toBeUndefined();
  });

  it('keeps Carapace errors to their class and code (they are expected, not bugs)', () => {
    expect(errorFields(new ValidationError('bad'))).toEqual({
      errorName: 'ValidationError',
      errorCode: 'INVALID_INPUT',
    });
    expect(errorFields('text')).toEqual({ errorName: 'string' });
  });
});

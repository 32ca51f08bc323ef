/** Creating, unlocking, locking the vault and changing its passphrase; the user's activity for auto-lock. */
import { PreconditionError } from '../../../errors.js';
import type { CoreContext, Handlers } from '../context.js';

/** Run `fn` with the UTF-8 bytes of a secret string, then zero them. */
async function withSecret<T>(secret: string, fn: (bytes: Buffer) => Promise<T>): Promise<T> {
  const bytes = Buffer.from(secret, 'utf8');
  try {
    return await fn(bytes);
  } finally {
    bytes.fill(0);
  }
}

export function vaultHandlers(ctx: CoreContext) {
  const { vault, autoLock } = ctx;
  return {
    'vault.status': () =>
      Promise.resolve({ state: vault.state, insecureNoPassphrase: vault.insecureNoPassphrase }),
    'vault.create': async (input) => {
      if ('passphrase' in input) await withSecret(input.passphrase, (bytes) => vault.create(bytes));
      else await vault.createWithoutPassphrase();
      ctx.openSession();
      return {};
    },
    'vault.unlock': async ({ passphrase }) => {
      if (vault.state === 'unlocked') return {};
      if (passphrase === undefined) await vault.unlock();
      else await withSecret(passphrase, (bytes) => vault.unlock(bytes));
      ctx.openSession();
      return {};
    },
    'vault.lock': ({ reason }) => {
      if (vault.state === 'unlocked') vault.lock(reason ?? 'user');
      ctx.dropSession();
      return Promise.resolve({});
    },
    'vault.changePassphrase': async ({ current, next }) => {
      ctx.session();
      // No-passphrase mode has no current passphrase (the vault ignores it there); elsewhere it is required
      // before any work, so a missing one is never counted as a wrong guess.
      if (current === undefined && !vault.insecureNoPassphrase) {
        throw new PreconditionError('Enter your current passphrase.');
      }
      await withSecret(current ?? '', (c) => withSecret(next, (n) => vault.changePassphrase(c, n)));
      return {};
    },
    'activity.touch': () => {
      ctx.session();
      autoLock.touch();
      return Promise.resolve({});
    },
  } satisfies Partial<Handlers>;
}

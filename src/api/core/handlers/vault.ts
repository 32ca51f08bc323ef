/** Creating, unlocking, locking the vault and changing its passphrase; the user's activity for auto-lock. */
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
    'vault.create': async ({ passphrase }) => {
      await withSecret(passphrase, (bytes) => vault.create(bytes));
      ctx.openSession();
      return {};
    },
    'vault.unlock': async ({ passphrase }) => {
      if (vault.state === 'unlocked') return {};
      await withSecret(passphrase, (bytes) => vault.unlock(bytes));
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
      await withSecret(current, (c) => withSecret(next, (n) => vault.changePassphrase(c, n)));
      return {};
    },
    'activity.touch': () => {
      ctx.session();
      autoLock.touch();
      return Promise.resolve({});
    },
  } satisfies Partial<Handlers>;
}

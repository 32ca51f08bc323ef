/**
 * Creating, unlocking, locking the vault, its passphrase and duress passphrase, the panic wipe and the
 * key-derivation calibration; the user's activity for auto-lock.
 */
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
    'vault.status': () => {
      const base = { state: vault.state, insecureNoPassphrase: vault.insecureNoPassphrase };
      if (vault.state !== 'unlocked') return Promise.resolve(base);
      const kdf = vault.kdfStatus;
      // Options appear only when on, so a status without them reads the same as before issue 18.
      return Promise.resolve({
        ...base,
        ...(vault.duressPassphraseSet ? { duressPassphraseSet: true } : {}),
        ...(vault.panicWithoutPassphrase ? { panicWithoutPassphrase: true } : {}),
        ...(kdf ? { kdf } : {}),
      });
    },
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
    'vault.setDuressPassphrase': async ({ current, duress }) => {
      ctx.session();
      await withSecret(current, (c) => withSecret(duress, (d) => vault.setDuressPassphrase(c, d)));
      return {};
    },
    'vault.clearDuressPassphrase': async ({ current }) => {
      ctx.session();
      await withSecret(current, (c) => vault.clearDuressPassphrase(c));
      return {};
    },
    'vault.recalibrateKdf': async ({ passphrase }) => {
      ctx.session();
      return withSecret(passphrase, (bytes) => vault.recalibrateKdf(bytes));
    },
    'vault.setPanicWithoutPassphrase': ({ enabled }) => {
      ctx.session();
      vault.setPanicWithoutPassphrase(enabled);
      return Promise.resolve({});
    },
    'vault.erase': async () => {
      // From the unlocked app only (the contract demands the typed confirmation); the CLI has its own rule.
      ctx.session();
      await vault.erase();
      ctx.dropSession();
      return {};
    },
    'activity.touch': () => {
      ctx.session();
      autoLock.touch();
      return Promise.resolve({});
    },
  } satisfies Partial<Handlers>;
}

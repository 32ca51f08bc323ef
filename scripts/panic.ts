/**
 * `npm run panic -- --profile DIR`
 *
 * The panic wipe from a terminal: crypto-erases a Carapace profile (src/vault/erase.ts) — the same erase
 * as Settings → "Erase everything now". It needs the vault passphrase (CARAPACE_PASSPHRASE, a no-echo
 * prompt, or stdin) unless the user allowed a passphrase-less wipe in the app (then anyone who can run
 * this on the profile can erase it — as they could delete its files). A profile another process has open
 * (the app, the harness) is refused (PROFILE_IN_USE): lock and quit the app, or use its own button.
 * Exit codes: 0 erased, 1 bad input, no vault, wrong passphrase or profile in use.
 */
import { parseArgs } from 'node:util';
import { sayError } from '../src/api/contract.js';
import { isCarapaceError } from '../src/errors.js';
import { ProfileLock, Vault } from '../src/vault/index.js';
import { PassphraseCancelled, readPassphrase } from './read-passphrase.js';

const USAGE = 'usage: npm run panic -- --profile DIR';

class UsageError extends Error {}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { profile: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const profile = values.profile;
  if (!profile) throw new UsageError(USAGE);
  // Read the profile as the app writes it; never calibrate (nothing is created here).
  const vault = new Vault(profile, { calibrate: false });
  if (vault.state === 'uninitialized') throw new UsageError(`no Carapace vault in ${profile}`);
  // Before any passphrase is asked for; held until this process exits.
  ProfileLock.acquire(profile);
  if (!vault.panicWithoutPassphrase && !vault.insecureNoPassphrase) {
    // Unlocking proves the passphrase (a wrong one is counted by the throttle like any guess).
    const passphrase = await readPassphrase();
    try {
      await vault.unlock(passphrase);
    } finally {
      passphrase.fill(0);
    }
  }
  await vault.erase();
  vault.lock('shutdown');
  process.stdout.write('Erased: no passphrase opens this profile any more.\n');
}

main().then(
  () => {
    process.exitCode = 0;
  },
  (error: unknown) => {
    const message =
      error instanceof UsageError || error instanceof PassphraseCancelled
        ? error.message
        : isCarapaceError(error)
          ? Object.values(sayError(error.code, error.message)).filter(Boolean).join(' ')
          : `unexpected error: ${error instanceof Error ? error.name : typeof error}`;
    process.stderr.write(`panic: ${message}\n`);
    process.exitCode = 1;
  },
);

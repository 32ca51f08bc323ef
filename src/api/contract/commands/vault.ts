/** Commands for the vault (passphrase, duress passphrase, panic wipe, lock) and user activity. */
import { z } from 'zod';
import { Empty, LockReasonSchema, Ok, Passphrase } from '../models.js';
import { ERASE_CONFIRMATION, VaultStatusDetailSchema } from '../models/vault-extras.js';
import { command } from './command.js';

const CurrentPassphrase = z.string().min(1).max(1024);

export const VAULT_COMMANDS = {
  'vault.status': command(Empty, VaultStatusDetailSchema),
  /**
   * First run: a passphrase, or the explicit insecure no-passphrase mode (the key in a 0600 file next to
   * the data; labelled in the UI and counted by the hardening report). Never both, never by omission.
   */
  'vault.create': command(
    z.union([
      z.strictObject({ passphrase: Passphrase }),
      z.strictObject({ insecureNoPassphrase: z.literal(true) }),
    ]),
    Ok,
  ),
  /**
   * Without a passphrase only in no-passphrase mode (otherwise PRECONDITION, no guess counted). The duress
   * passphrase answers exactly like the real one: the vault was erased and a fresh, empty one is open.
   */
  'vault.unlock': command(z.strictObject({ passphrase: z.string().min(1).max(1024).optional() }), Ok),
  'vault.lock': command(z.strictObject({ reason: LockReasonSchema.optional() }), Ok),
  /** `current` is left out only in no-passphrase mode, which this leaves. */
  'vault.changePassphrase': command(
    z.strictObject({ current: CurrentPassphrase.optional(), next: Passphrase }),
    Ok,
  ),
  /** Arms the duress passphrase (needs the current one; must differ from it). */
  'vault.setDuressPassphrase': command(
    z.strictObject({ current: CurrentPassphrase, duress: Passphrase }),
    Ok,
  ),
  'vault.clearDuressPassphrase': command(z.strictObject({ current: CurrentPassphrase }), Ok),
  /** Calibrates Argon2id to this machine again and rekeys; a duress passphrase is cleared (bound to the old cost). */
  'vault.recalibrateKdf': command(
    z.strictObject({ passphrase: CurrentPassphrase }),
    z.object({ duressCleared: z.boolean() }),
  ),
  /** Lets `npm run panic` erase this profile without the passphrase (a file outside the vault says so). */
  'vault.setPanicWithoutPassphrase': command(z.strictObject({ enabled: z.boolean() }), Ok),
  /** The panic wipe: crypto-erases the profile now; afterwards it is uninitialized. */
  'vault.erase': command(z.strictObject({ confirmation: z.literal(ERASE_CONFIRMATION) }), Ok),
  /** User activity: postpones auto-lock. */
  'activity.touch': command(Empty, Ok),
} as const;

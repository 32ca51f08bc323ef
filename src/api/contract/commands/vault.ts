/** Commands for the vault (passphrase, lock) and user activity. */
import { z } from 'zod';
import { Empty, LockReasonSchema, Ok, Passphrase, VaultStatusSchema } from '../models.js';
import { command } from './command.js';

export const VAULT_COMMANDS = {
  'vault.status': command(Empty, VaultStatusSchema),
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
  /** Without a passphrase only in no-passphrase mode (otherwise PRECONDITION, no guess counted). */
  'vault.unlock': command(z.strictObject({ passphrase: z.string().min(1).max(1024).optional() }), Ok),
  'vault.lock': command(z.strictObject({ reason: LockReasonSchema.optional() }), Ok),
  /** `current` is left out only in no-passphrase mode, which this leaves. */
  'vault.changePassphrase': command(
    z.strictObject({ current: z.string().min(1).max(1024).optional(), next: Passphrase }),
    Ok,
  ),
  /** User activity: postpones auto-lock. */
  'activity.touch': command(Empty, Ok),
} as const;

/**
 * What the vault's status says beyond its state (issue 18): whether a duress passphrase is set, the
 * key-derivation cost, the panic-wipe opt-in; and the typed confirmation the panic wipe needs.
 */
import { z } from 'zod';
import { VaultStatusSchema } from '../models.js';

export const VaultStatusDetailSchema = VaultStatusSchema.extend({
  /** Only while unlocked, and only when set (known only inside the vault: the header never says). */
  duressPassphraseSet: z.boolean().optional(),
  /** Only while unlocked with a passphrase. */
  kdf: z
    .object({
      /** CPU time of one Argon2id derivation over all lanes: one guess's cost to an attacker on one core. */
      guessCpuMs: z.number(),
      unlockMs: z.number(),
      /** This machine derives much faster than the calibration target: "vault.recalibrateKdf" is offered. */
      recalibrationOffered: z.boolean(),
    })
    .optional(),
  /** Only when the user allowed `npm run panic` to erase this profile without the passphrase. */
  panicWithoutPassphrase: z.boolean().optional(),
});

/** What the user types to confirm the panic wipe (the UI asks for exactly this word). */
export const ERASE_CONFIRMATION = 'ERASE';
export type VaultStatusDetail = z.infer<typeof VaultStatusDetailSchema>;

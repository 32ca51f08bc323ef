/**
 * Commands for the account: registration, Signal PIN, registration lock, the account screen's details, our
 * profile name and phone-number privacy.
 */
import { z } from 'zod';
import {
  AccountStatusSchema,
  E164,
  Empty,
  Id,
  Pin,
  PinCheckSchema,
  PinReminderAnswerSchema,
  PinReminderStatusSchema,
  RegistrationStepSchema,
} from '../models.js';
import {
  AccountDetailsSchema,
  PhoneNumberSharingSchema,
  ProfileSetInputSchema,
} from '../models/account-extras.js';
import { command } from './command.js';

export const ACCOUNT_COMMANDS = {
  'account.status': command(Empty, AccountStatusSchema),
  'account.startRegistration': command(z.strictObject({ e164: E164 }), RegistrationStepSchema),
  'account.submitCaptcha': command(
    z.strictObject({ sessionId: Id, captcha: z.string().min(1).max(4096) }),
    RegistrationStepSchema,
  ),
  'account.submitCode': command(
    z.strictObject({
      sessionId: Id,
      code: z.string().regex(/^\d{6}$/, 'The code has 6 digits'),
      /** Needed only when the number has a registration lock. */
      pin: Pin.optional(),
    }),
    AccountStatusSchema,
  ),
  /**
   * The number has a registration lock (REGISTRATION_LOCKED from submitCode): the Signal PIN unlocks it
   * and restores the account data (identity keys, contacts, settings). WRONG_PIN carries the tries left.
   */
  'account.submitPin': command(z.strictObject({ sessionId: Id, pin: Pin }), AccountStatusSchema),

  'pin.check': command(z.strictObject({ pin: z.string().max(128) }), PinCheckSchema),
  'pin.generate': command(Empty, z.object({ pin: z.string() })),
  'pin.set': command(z.strictObject({ pin: Pin, acceptWeak: z.boolean().optional() }), AccountStatusSchema),
  'registrationLock.set': command(z.strictObject({ enabled: z.boolean() }), AccountStatusSchema),
  /** Is a PIN reminder due? (Local only: the PIN's argon2 hash lives in the vault.) */
  'pin.reminderStatus': command(Empty, PinReminderStatusSchema),
  /** Answer a reminder: checked against the local hash; wrong → reminded sooner, right → later. */
  'pin.answerReminder': command(z.strictObject({ pin: z.string().min(1).max(128) }), PinReminderAnswerSchema),

  /** Everything the account screen shows: number, Signal ID, device, username + link, profile, privacy. */
  'account.details': command(Empty, AccountDetailsSchema),
  /**
   * Our profile name (and about), encrypted with our profile key and uploaded with its commitment; contacts
   * who hold our profile key see it. INVALID_INPUT when a field is too long once encoded.
   */
  'profile.set': command(ProfileSetInputSchema, AccountDetailsSchema),
  /** "Who can see my number": carried in our encrypted profile (uploaded at once). */
  'privacy.setPhoneNumberSharing': command(
    z.strictObject({ sharing: PhoneNumberSharingSchema }),
    AccountDetailsSchema,
  ),
  /**
   * "Who can find me by number". `privacy.discoverabilityApplies` in the answer says whether the service
   * has it now or it is sent at the next registration.
   */
  'privacy.setDiscoverable': command(z.strictObject({ discoverable: z.boolean() }), AccountDetailsSchema),
} as const;

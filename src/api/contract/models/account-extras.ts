/**
 * What the account screen shows and the new-chat form sends (issue 16): our number, Signal ID, device,
 * username and its link, our profile name, phone-number privacy; and the ways to name someone to chat with.
 */
import { z } from 'zod';

/** A Signal username as people type it: `nickname.discriminator` (`alice.42`). Checked by libsignal. */
export const UsernameText = z.string().trim().min(1).max(64);

/**
 * A username link as Signal shares it: `https://signal.me/#eu/<base64url>` (the text of its QR code; the
 * renderer decodes a QR image itself and sends the text).
 */
const UsernameLinkText = z.string().trim().min(1).max(512);

const ServiceIdText = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'A Signal ID is a UUID');

/** Who sees our phone number on our profile (Signal's "Who can see my number"). */
export const PhoneNumberSharingSchema = z.enum(['everybody', 'nobody']);
export type PhoneNumberSharing = z.infer<typeof PhoneNumberSharingSchema>;

/**
 * Where "who can find me by number" takes effect: `server` = the service has it now; `next-registration`
 * = stored here and sent when this device registers (again), because the service offers no way to change
 * it on a registered account (the demo network's mock server takes it only at registration).
 */
const DiscoverabilityAppliesSchema = z.enum(['server', 'next-registration']);

export const AccountDetailsSchema = z.object({
  registered: z.boolean(),
  /** Our phone number; shown only when the user reveals it, never logged. */
  e164: z.string().nullable(),
  /** Our Signal ID (ACI). */
  aci: z.string().nullable(),
  deviceId: z.number().int().nullable(),
  /** Our confirmed username (`alice.42`); null when none. */
  username: z.string().nullable(),
  /** Our username link (`https://signal.me/#eu/…`, also the QR code's text); null when none. */
  usernameLink: z.string().nullable(),
  profile: z.object({
    /** Null until a profile name is set. */
    givenName: z.string().nullable(),
    familyName: z.string().nullable(),
    about: z.string().nullable(),
  }),
  privacy: z.object({
    phoneNumberSharing: PhoneNumberSharingSchema,
    /** "Who can find me by number": true = everybody who has it, false = nobody. */
    discoverableByPhoneNumber: z.boolean(),
    discoverabilityApplies: DiscoverabilityAppliesSchema,
  }),
});
export type AccountDetails = z.infer<typeof AccountDetailsSchema>;

export const UsernameReserveInputSchema = z.strictObject({
  /** 3–32 letters, digits or _, not starting with a digit (libsignal says which rule failed). */
  nickname: z.string().trim().min(1).max(64),
  /** Digits chosen by the user (at least 2, no leading zero unless exactly 2); random when absent. */
  discriminator: z
    .string()
    .regex(/^\d{1,9}$/, 'Digits only')
    .optional(),
});

/**
 * A username held for us for a while (not yet ours): confirm it with `username.confirm`. With no
 * discriminator given, the core tries several random ones and the server holds the first free one.
 */
export const UsernameReservationSchema = z.object({
  username: z.string(),
  nickname: z.string(),
  discriminator: z.string(),
});
export type UsernameReservation = z.infer<typeof UsernameReservationSchema>;

export const UsernameLinkSchema = z.object({ url: z.string() });

export const ProfileSetInputSchema = z.strictObject({
  /** Our first name as contacts see it (encrypted with our profile key; the server never reads it). */
  givenName: z.string().trim().min(1).max(128),
  familyName: z.string().trim().max(128).optional(),
  about: z.string().trim().max(512).optional(),
});

/**
 * Whom to start a chat with. Each answers one typed error when it cannot: NOT_FOUND (no such username or
 * link), NOT_AVAILABLE (phone-number lookup in a build without it — the message suggests a username),
 * INVALID_INPUT (libsignal's reason: too short, bad characters, a damaged link).
 */
export const StartConversationInputSchema = z.union([
  z.strictObject({ username: UsernameText }),
  z.strictObject({ usernameLink: UsernameLinkText }),
  z.strictObject({
    e164: z.string().regex(/^\+[1-9]\d{6,14}$/, 'Use international format, e.g. +15551234567'),
    /**
     * Looking a number up sends it to the service (hashed, on Signal's real directory): where this build
     * can look numbers up (capability `phoneNumberLookup`) the user must agree each time — without it the
     * core answers PRECONDITION and looks nothing up. Elsewhere the answer is NOT_AVAILABLE, with or without.
     */
    lookupConsent: z.literal(true).optional(),
  }),
  z.strictObject({
    serviceId: ServiceIdText,
    /** A local name for the contact (kept in the vault only). */
    name: z.string().trim().min(1).max(100).optional(),
  }),
]);

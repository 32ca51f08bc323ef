/**
 * Finding someone by phone number. Signal does it through CDSI (an attested enclave, numbers hashed); this
 * build does not speak CDSI, so only a configuration with the `phoneNumberLookup` capability (the demo
 * network, src/net/config.ts) may look numbers up, through the demo network's labelled directory route over
 * our authenticated chat socket. Everywhere else the answer is NOT_AVAILABLE with a pointer to usernames —
 * never a silent fallback. The number is sent to the service; callers must have the user's consent.
 */
import { z } from 'zod';
import {
  NotAvailableError,
  NotFoundError,
  PreconditionError,
  ProtocolError,
  ServerError,
} from '../errors.js';
import { capabilitiesOf, type ClientConfig } from '../net/config.js';
import type { ChatRequester } from '../messaging/delivery.js';

const PHONE_LOOKUP_NOT_AVAILABLE =
  'Finding people by phone number is not available in this build — use a username.';

/** The demo network's directory route (src/demo/extensions/directory.ts serves it). */
const DIRECTORY_PATH = '/carapace-demo/v1/directory/';

const AnswerSchema = z.object({
  aci: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i),
});

/** Refuses unless this configuration can look numbers up and the user agreed to send the number. */
export function assertPhoneLookupAllowed(config: ClientConfig | undefined, consent: boolean): void {
  if (!capabilitiesOf(config).phoneNumberLookup) throw new NotAvailableError(PHONE_LOOKUP_NOT_AVAILABLE);
  if (!consent) {
    throw new PreconditionError(
      'Looking up a number sends it to the service; agree to that first (or use a username).',
    );
  }
}

/** The ACI of a findable number; NOT_FOUND when none (unknown, or not findable by number). */
export async function lookUpPhoneNumber(request: ChatRequester, e164: string): Promise<string> {
  const response = await request({ verb: 'GET', path: DIRECTORY_PATH + encodeURIComponent(e164) });
  if (response.status === 404) {
    throw new NotFoundError(
      'No one can be found by that number (unknown, or they chose not to be findable).',
    );
  }
  if (response.status !== 200) throw new ServerError('The directory refused the lookup.', response.status);
  try {
    return AnswerSchema.parse(
      JSON.parse(Buffer.from(response.body ?? []).toString('utf8')),
    ).aci.toLowerCase();
  } catch (error) {
    throw new ProtocolError('The directory sent a malformed answer.', { cause: error });
  }
}

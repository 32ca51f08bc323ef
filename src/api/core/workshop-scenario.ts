/**
 * Asks the demo network's workshop route (src/demo/extensions/workshop-control.ts) over our authenticated
 * chat socket — our transport, like every other request — to run a scenario against this account. Demo
 * code is never imported: the route is spoken to as a service.
 */
import { z } from 'zod';
import { ProtocolError, ServerError } from '../../errors.js';
import type { ChatRequester } from '../../messaging/delivery.js';

const SCENARIO_PATH = '/carapace-demo/v1/workshop/scenario';
const AnswerSchema = z.object({ contact: z.string().min(1).max(100) });

/** Runs `scenario`; resolves with the simulated contact's name once it has sent. */
export async function triggerScenario(request: ChatRequester, scenario: string): Promise<string> {
  const response = await request({
    verb: 'POST',
    path: SCENARIO_PATH,
    body: Buffer.from(JSON.stringify({ scenario })),
    headers: { 'content-type': 'application/json' },
  });
  if (response.status !== 200) {
    throw new ServerError('The demo network could not run that scenario.', response.status);
  }
  try {
    return AnswerSchema.parse(JSON.parse(Buffer.from(response.body ?? []).toString('utf8'))).contact;
  } catch (error) {
    throw new ProtocolError('The demo network sent a malformed answer.', { cause: error });
  }
}

/**
 * Speaks to the demo network's workshop routes (src/demo/extensions/workshop-control.ts) over our
 * authenticated chat socket — our transport, like every other request — to run a scenario against this
 * account or read back what a simulated contact received. Demo code is never imported: the routes are
 * spoken to as a service.
 */
import { z } from 'zod';
import { NotFoundError, ProtocolError, ServerError } from '../../errors.js';
import type { ChatRequester, ChatRequest } from '../../messaging/delivery.js';

const PREFIX = '/carapace-demo/v1/workshop/';

async function ask<T>(request: ChatRequester, call: ChatRequest, schema: z.ZodType<T>): Promise<T> {
  const response = await request(call);
  if (response.status === 404) throw new NotFoundError('The simulated contact has not received it yet.');
  if (response.status !== 200) {
    throw new ServerError('The demo network could not do that workshop step.', response.status);
  }
  try {
    return schema.parse(JSON.parse(Buffer.from(response.body ?? []).toString('utf8')));
  } catch (error) {
    throw new ProtocolError('The demo network sent a malformed answer.', { cause: error });
  }
}

/** Runs `scenario`; resolves with the simulated contact's name once it has sent. */
export async function triggerScenario(request: ChatRequester, scenario: string): Promise<string> {
  const body = Buffer.from(JSON.stringify({ scenario }));
  const answer = await ask(
    request,
    { verb: 'POST', path: `${PREFIX}scenario`, body, headers: { 'content-type': 'application/json' } },
    z.object({ contact: z.string().min(1).max(100) }),
  );
  return answer.contact;
}

const FriendSchema = z.object({
  aci: z.string().regex(/^[0-9a-f-]{36}$/i),
  name: z.string().min(1).max(100),
  received: z.number().int().nonnegative(),
});

/** The known simulated contact, and a number that grows with each attachment it receives from us. */
export function workshopFriend(request: ChatRequester): Promise<z.infer<typeof FriendSchema>> {
  return ask(request, { verb: 'GET', path: `${PREFIX}friend` }, FriendSchema);
}

/** The newest attachment the known contact received from us, as its phone decrypted it. */
export async function receivedPhoto(request: ChatRequester): Promise<Buffer> {
  const answer = await ask(
    request,
    { verb: 'GET', path: `${PREFIX}received-photo` },
    z.object({ dataBase64: z.string().max(10_000_000) }),
  );
  return Buffer.from(answer.dataBase64, 'base64');
}

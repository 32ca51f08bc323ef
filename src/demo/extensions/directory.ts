/**
 * DEMO ONLY — a phone-number directory for the local demo network, so "new chat by number" works in
 * trainings. Signal finds people by number through CDSI, an attested enclave that @signalapp/mock-server
 * does not have; this is NOT that and gives no privacy: numbers arrive in the clear. Production builds
 * never reach it (the client asks only when its configuration has the `phoneNumberLookup` capability,
 * which only demo configurations have).
 *
 *   GET /carapace-demo/v1/directory/<e164>   (authenticated chat socket)
 *   → 200 {"aci": "<uuid>"} | 404 (unknown, or its owner chose "nobody can find me by number")
 *
 * Listed: the simulated phones (demo contacts are meant to be found), and registered accounts that sent
 * `discoverableByPhoneNumber: true` when they registered.
 */
import { z } from 'zod';
import type { Device } from '@signalapp/mock-server';
import type { WsRequest, WsResponse } from './chat-socket-hook.js';

const DEMO_DIRECTORY_PATH = '/carapace-demo/v1/directory/';
const E164 = /^\+[1-9]\d{6,14}$/;

const RegistrationSchema = z.object({
  sessionId: z.string(),
  accountAttributes: z.object({ discoverableByPhoneNumber: z.boolean().optional() }).passthrough(),
});

function json(status: number, value?: unknown): WsResponse {
  return { status, body: value === undefined ? null : Buffer.from(JSON.stringify(value)) };
}

export class DemoDirectory {
  readonly #aciByNumber = new Map<string, string>();

  /** A simulated phone: always findable. */
  addSimulated(number: string | undefined, aci: string): void {
    if (number && E164.test(number)) this.#aciByNumber.set(number, aci);
  }

  /** After a successful `POST /v1/registration`: listed only when its owner allowed it. */
  registered(body: unknown, aci: string, verifiedNumber: (sessionId: string) => string | undefined): void {
    const parsed = RegistrationSchema.safeParse(body);
    if (!parsed.success) return;
    const number = verifiedNumber(parsed.data.sessionId);
    if (!number) return;
    if (parsed.data.accountAttributes.discoverableByPhoneNumber === true) this.#aciByNumber.set(number, aci);
    else this.#aciByNumber.delete(number);
  }

  /** Answers the directory route (before the stock router); undefined for any other request. */
  intercept(device: Device | undefined, request: WsRequest): WsResponse | undefined {
    const path = request.path ?? '';
    if (!path.startsWith(DEMO_DIRECTORY_PATH)) return undefined;
    if (request.verb !== 'GET') return json(405);
    if (!device) return json(401);
    let number: string;
    try {
      number = decodeURIComponent(path.slice(DEMO_DIRECTORY_PATH.length));
    } catch {
      return json(400);
    }
    if (!E164.test(number)) return json(400);
    const aci = this.#aciByNumber.get(number);
    return aci ? json(200, { aci }) : json(404);
  }
}

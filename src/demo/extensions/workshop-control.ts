/**
 * DEMO ONLY — the trainer's workshop control routes: the app asks the demo network's simulated contacts to
 * act on its own account, and reads back what a contact received.
 *
 *   POST /carapace-demo/v1/workshop/scenario {"scenario": "<name>"}
 *     → 200 {"contact": "<name of the simulated contact that acted>"}
 *   GET  /carapace-demo/v1/workshop/friend
 *     → 200 {"aci", "name", "received": <sequence number of the newest attachment from the caller, or 0>}
 *   GET  /carapace-demo/v1/workshop/received-photo
 *     → 200 {"dataBase64": <the newest attachment it received from the caller, as it decrypted it>} | 404
 *
 * All on the authenticated chat socket; 400 / 401 / 405 / 503 (no world set) otherwise. Only the
 * authenticated account itself is ever the target or the sender read back, so the account's own chat
 * credentials are the access control. Production builds never reach these routes (the core asks only
 * where `capabilitiesOf(config).workshop`, which only demo configurations have).
 */
import { z } from 'zod';
import type { Device } from '@signalapp/mock-server';
import { errorFields, log } from '../../log.js';
import type { WsRequest, WsResponse } from './chat-socket-hook.js';

const WORKSHOP_SCENARIOS = [
  'message-request',
  'safety-number-change',
  'view-once-photo',
  'disappearing-chat',
  'group-invitation',
] as const;
export type WorkshopScenario = (typeof WORKSHOP_SCENARIOS)[number];

/** What the demo network's simulated contacts can do for the workshop (workshop-scenarios.ts). */
export interface WorkshopWorld {
  /** Runs one scenario against `targetAci`; resolves with the acting contact's name. */
  run(scenario: WorkshopScenario, targetAci: string): Promise<string>;
  /** The known contact ("Echo") and the sequence number of the newest attachment it got from `fromAci`. */
  friend(fromAci: string): Promise<{ aci: string; name: string; received: number }>;
  /** The newest attachment the known contact received from `fromAci`, decrypted as its phone did. */
  receivedPhoto(fromAci: string): Promise<Buffer | undefined>;
}

const PREFIX = '/carapace-demo/v1/workshop/';
const BodySchema = z.strictObject({ scenario: z.enum(WORKSHOP_SCENARIOS) });

function json(status: number, value?: unknown): WsResponse {
  return { status, body: value === undefined ? null : Buffer.from(JSON.stringify(value)) };
}

export class WorkshopControl {
  #world: WorkshopWorld | undefined;

  /** Set by the demo network, which owns the simulated contacts. */
  setWorld(world: WorkshopWorld): void {
    this.#world = world;
  }

  /** Answers the workshop routes (before the stock router); undefined for any other request. */
  intercept(device: Device | undefined, request: WsRequest): Promise<WsResponse> | undefined {
    const path = (request.path ?? '').split('?')[0] ?? '';
    if (!path.startsWith(PREFIX)) return undefined;
    return this.#handle(path.slice(PREFIX.length), device, request).catch((error: unknown) => {
      log.warn('demo.workshop_route_failed', errorFields(error));
      return json(500);
    });
  }

  async #handle(route: string, device: Device | undefined, request: WsRequest): Promise<WsResponse> {
    if (!device) return json(401);
    const world = this.#world;
    if (!world) return json(503);
    const verb = request.verb ?? '';
    if (route === 'scenario' && verb === 'POST') {
      const parsed = BodySchema.safeParse(parseJson(request.body));
      if (!parsed.success) return json(400);
      return json(200, { contact: await world.run(parsed.data.scenario, device.aci) });
    }
    if (route === 'friend' && verb === 'GET') return json(200, await world.friend(device.aci));
    if (route === 'received-photo' && verb === 'GET') {
      const bytes = await world.receivedPhoto(device.aci);
      return bytes ? json(200, { dataBase64: bytes.toString('base64') }) : json(404);
    }
    return json(route === 'scenario' || route === 'friend' || route === 'received-photo' ? 405 : 404);
  }
}

function parseJson(body: Uint8Array | null | undefined): unknown {
  try {
    return JSON.parse(Buffer.from(body ?? []).toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * DEMO ONLY — the trainer's workshop control route: the app asks the demo network's simulated contacts to
 * act on its own account (a stranger writes, a contact sends a view-once photo, sets a disappearing timer).
 *
 *   POST /carapace-demo/v1/workshop/scenario {"scenario": "<name>"}   (authenticated chat socket)
 *   → 200 {"contact": "<name of the simulated contact that acted>"} | 400 | 401 | 503 (no runner)
 *
 * Only the authenticated account itself is ever the target, so the account's own chat credentials are the
 * access control: no one can aim a scenario at someone else. Production builds never reach it (the core
 * asks only where `capabilitiesOf(config).workshop`, which only demo configurations have).
 */
import { z } from 'zod';
import type { Device } from '@signalapp/mock-server';
import { errorFields, log } from '../../log.js';
import type { WsRequest, WsResponse } from './chat-socket-hook.js';

export const WORKSHOP_SCENARIOS = [
  'message-request',
  'safety-number-change',
  'view-once-photo',
  'disappearing-chat',
] as const;
export type WorkshopScenario = (typeof WORKSHOP_SCENARIOS)[number];

/** Runs one scenario against `targetAci`; resolves with the acting contact's name. */
export type ScenarioRunner = (scenario: WorkshopScenario, targetAci: string) => Promise<string>;

const SCENARIO_PATH = '/carapace-demo/v1/workshop/scenario';
const BodySchema = z.strictObject({ scenario: z.enum(WORKSHOP_SCENARIOS) });

function json(status: number, value?: unknown): WsResponse {
  return { status, body: value === undefined ? null : Buffer.from(JSON.stringify(value)) };
}

export class WorkshopControl {
  #runner: ScenarioRunner | undefined;

  /** Set by the demo network, which owns the simulated contacts. */
  setRunner(runner: ScenarioRunner): void {
    this.#runner = runner;
  }

  /** Answers the workshop route (before the stock router); undefined for any other request. */
  intercept(device: Device | undefined, request: WsRequest): Promise<WsResponse> | undefined {
    if ((request.path ?? '').split('?')[0] !== SCENARIO_PATH) return undefined;
    return this.#handle(device, request);
  }

  async #handle(device: Device | undefined, request: WsRequest): Promise<WsResponse> {
    if (request.verb !== 'POST') return json(405);
    if (!device) return json(401);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(request.body ?? []).toString('utf8'));
    } catch {
      return json(400);
    }
    const parsed = BodySchema.safeParse(body);
    if (!parsed.success) return json(400);
    if (!this.#runner) return json(503);
    try {
      return json(200, { contact: await this.#runner(parsed.data.scenario, device.aci) });
    } catch (error) {
      log.warn('demo.workshop_scenario_failed', errorFields(error));
      return json(500);
    }
  }
}

/**
 * DEMO ONLY — what the demo network's simulated contacts do when a trainer triggers a workshop scenario
 * (the route is src/demo/extensions/workshop-control.ts). Each run is bounded (a few sends) and repeatable:
 * a second message request comes from a new stranger.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { EMPTY_DATA_MESSAGE } from '@signalapp/mock-server';
import sharp from 'sharp';
import type { DemoServer } from './extensions/demo-server.js';
import type { ScenarioRunner, WorkshopScenario } from './extensions/workshop-control.js';
import type { DemoContact } from './network.js';

const require = createRequire(import.meta.url);
// The mock's own attachment code, as a real phone would use its own (not ours).
const mockCrypto = require('@signalapp/mock-server/src/crypto.js') as {
  encryptAttachment(cleartext: Buffer): { key: Buffer; blob: Buffer; digest: Buffer; size: number };
};
const mockAttachment = require('@signalapp/mock-server/src/data/attachment.js') as {
  attachmentToPointer(cdnKey: string, attachment: unknown): Record<string, unknown>;
};

/** The timer the disappearing-chat scenario sets: short enough to watch a message go in a session. */
export const WORKSHOP_DISAPPEARING_SECONDS = 300;
/** DataMessage.Flags.EXPIRATION_TIMER_UPDATE. */
const EXPIRATION_TIMER_UPDATE = 2;

export interface ScenarioWorld {
  readonly server: DemoServer;
  /** The simulated contacts so far, oldest first (the first is the one a demo profile knows: Echo). */
  contacts(): readonly DemoContact[];
  createContact(name: string): Promise<DemoContact>;
}

async function samplePhoto(): Promise<Buffer> {
  return sharp({ create: { width: 160, height: 120, channels: 3, background: { r: 40, g: 110, b: 180 } } })
    .jpeg()
    .toBuffer();
}

export function workshopScenarioRunner(world: ScenarioWorld): ScenarioRunner {
  let strangers = 0;
  const strangerNames = new Set<string>();

  /** A contact the profile already knows: the network's first simulated contact that is no stranger. */
  const friend = async (): Promise<DemoContact> =>
    world.contacts().find((c) => !strangerNames.has(c.name)) ??
    (await world.createContact('Workshop friend'));

  const send = async (from: DemoContact, toAci: string, dataMessage: Record<string, unknown>) => {
    const target = await from.ensureSession(toAci);
    await from.device.sendRaw(target, {
      content: { dataMessage: { ...EMPTY_DATA_MESSAGE, timestamp: BigInt(Date.now()), ...dataMessage } },
      pniSignatureMessage: null,
      senderKeyDistributionMessage: null,
    });
  };

  const scenarios: Record<WorkshopScenario, (toAci: string) => Promise<string>> = {
    'message-request': async (toAci) => {
      strangers += 1;
      const name = `Stranger ${strangers}`;
      strangerNames.add(name);
      const stranger = await world.createContact(name);
      await stranger.sendText(toAci, 'Hi! We have not met — can I ask you something?');
      return name;
    },
    'view-once-photo': async (toAci) => {
      const from = await friend();
      const encrypted = mockCrypto.encryptAttachment(await samplePhoto());
      const cdnKey = `workshop-${randomBytes(8).toString('hex')}`;
      await world.server.storeAttachmentOnCdn(3, cdnKey, encrypted.blob as Buffer<ArrayBuffer>);
      const pointer = mockAttachment.attachmentToPointer(cdnKey, encrypted);
      await send(from, toAci, {
        attachments: [{ ...pointer, cdnNumber: 3, contentType: 'image/jpeg' }],
        isViewOnce: true,
      });
      return from.name;
    },
    'disappearing-chat': async (toAci) => {
      const from = await friend();
      const expireTimer = WORKSHOP_DISAPPEARING_SECONDS;
      await send(from, toAci, { flags: EXPIRATION_TIMER_UPDATE, expireTimer });
      await send(from, toAci, { body: 'This chat now disappears after 5 minutes.', expireTimer });
      return from.name;
    },
  };

  return (scenario, toAci) => scenarios[scenario](toAci);
}

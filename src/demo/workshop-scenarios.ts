/**
 * DEMO ONLY — what the demo network's simulated contacts do when a trainer triggers a workshop scenario
 * (the route is src/demo/extensions/workshop-control.ts). Each run is bounded (a few sends) and repeatable:
 * a second message request comes from a new stranger.
 */
import { createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import {
  IdentityKeyPair,
  type PrivateKey,
  type ProtocolAddress,
  type PublicKey,
} from '@signalapp/libsignal-client';
import { EMPTY_DATA_MESSAGE, ServiceIdKind, type Device, type Group } from '@signalapp/mock-server';
import sharp from 'sharp';
import { errorFields, log } from '../log.js';
import type { DemoServer } from './extensions/demo-server.js';
import type { WorkshopScenario, WorkshopWorld } from './extensions/workshop-control.js';
import type { DemoContact, ReceivedAttachment } from './network.js';

const require = createRequire(import.meta.url);
// The mock's own attachment code, as a real phone would use its own (not ours).
const mockCrypto = require('@signalapp/mock-server/src/crypto.js') as {
  encryptAttachment(cleartext: Buffer): { key: Buffer; blob: Buffer; digest: Buffer; size: number };
};
const mockAttachment = require('@signalapp/mock-server/src/data/attachment.js') as {
  attachmentToPointer(cdnKey: string, attachment: unknown): Record<string, unknown>;
};

/** The timer the disappearing-chat scenario sets: short enough to watch a message go in a session. */
const WORKSHOP_DISAPPEARING_SECONDS = 300;
/** DataMessage.Flags.EXPIRATION_TIMER_UPDATE. */
const EXPIRATION_TIMER_UPDATE = 2;
/** How long the group scenario's members wait for the invitation to be accepted, and how often they look. */
const ACCEPT_WAIT_MS = 15 * 60_000;
const ACCEPT_POLL_MS = 250;

interface ScenarioWorld {
  readonly server: DemoServer;
  /** The mock CDN's directory (where uploaded blobs land). */
  readonly cdnDir: string;
  /** The simulated contacts so far, oldest first (the first is the one a demo profile knows: Echo). */
  contacts(): readonly DemoContact[];
  createContact(name: string): Promise<DemoContact>;
  /** Aborted when the network closes (a scenario still waiting in the background stops). */
  readonly closed: AbortSignal;
}

async function samplePhoto(): Promise<Buffer> {
  return sharp({ create: { width: 160, height: 120, channels: 3, background: { r: 40, g: 110, b: 180 } } })
    .jpeg()
    .toBuffer();
}

/** The simulated phone's internals a re-registration replaces (the mock has no API for it). */
interface PhoneInternals {
  privateKey: PrivateKey;
  publicKey: PublicKey;
  readonly identity: Map<
    ServiceIdKind,
    {
      updateIdentityKey(key: PrivateKey): Promise<void>;
      saveIdentity(a: ProtocolAddress, k: PublicKey): Promise<unknown>;
    }
  >;
  readonly sessions: { readonly sessions: Map<string, unknown> };
  generateKeys(device: Device, kind: ServiceIdKind): Promise<Parameters<Device['setKeys']>[1]>;
}

/**
 * The contact reinstalls Signal: a new ACI identity key and fresh prekeys on the server, and no sessions,
 * so its next message starts a new session under the new key (what a recipient sees as "safety number
 * changed").
 */
async function reRegister(contact: DemoContact): Promise<void> {
  const phone = contact.device as unknown as PhoneInternals;
  const pair = IdentityKeyPair.generate();
  phone.privateKey = pair.privateKey;
  phone.publicKey = pair.publicKey;
  const identity = phone.identity.get(ServiceIdKind.ACI);
  if (!identity) throw new Error('simulated phone without an ACI identity');
  await identity.updateIdentityKey(pair.privateKey);
  await identity.saveIdentity(contact.device.device.address, pair.publicKey);
  phone.sessions.sessions.clear();
  const device = contact.device.device;
  await device.setKeys(ServiceIdKind.ACI, await phone.generateKeys(device, ServiceIdKind.ACI));
}

/** Finds an uploaded blob by its CDN key anywhere under the mock CDN's directory. */
async function findBlob(dir: string, cdnKey: string): Promise<Buffer | undefined> {
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name === cdnKey) return readFile(join(entry.parentPath, entry.name));
  }
  return undefined;
}

/** What the contact's phone does with a pointer: check the digest and MAC, decrypt, drop the padding. */
async function decryptReceived(cdnDir: string, { pointer }: ReceivedAttachment): Promise<Buffer | undefined> {
  const { key, digest, size } = pointer;
  const cdnKey = pointer.attachmentIdentifier?.cdnKey;
  if (!cdnKey || key?.length !== 64 || !digest || typeof size !== 'number') return undefined;
  const blob = await findBlob(cdnDir, cdnKey);
  if (!blob || blob.length < 48) return undefined;
  if (!timingSafeEqual(createHash('sha256').update(blob).digest(), Buffer.from(digest))) return undefined;
  const iv = blob.subarray(0, 16);
  const body = blob.subarray(16, blob.length - 32);
  const mac = createHmac('sha256', Buffer.from(key).subarray(32)).update(iv).update(body).digest();
  if (!timingSafeEqual(mac, blob.subarray(blob.length - 32))) return undefined;
  const decipher = createDecipheriv('aes-256-cbc', Buffer.from(key).subarray(0, 32), iv);
  return Buffer.concat([decipher.update(body), decipher.final()]).subarray(0, size);
}

/**
 * The group scenario's second half, in the background: once `toAci` has accepted the invitation (its
 * promotion shows on the group service), Alice and Bob write in the group and Bob reacts to Alice.
 */
async function groupHistoryAfterAccept(
  alice: DemoContact,
  bob: DemoContact,
  group: Group,
  toAci: string,
  closed: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + ACCEPT_WAIT_MS;
  let current: Group | undefined = group;
  while (!current || !alice.groups.members(current).includes(toAci)) {
    if (Date.now() > deadline) return log.info('demo.workshop_group_not_accepted');
    await sleep(ACCEPT_POLL_MS, undefined, { signal: closed });
    current = await alice.groups.group(group.masterKey);
  }
  const welcome = await alice.groups.send(current, { body: 'Welcome to the workshop group! 👋' });
  await bob.groups.send(current, { body: 'Hi! Messages here are end-to-end encrypted for each of us.' });
  await bob.groups.send(current, {
    reaction: {
      emoji: '❤️',
      remove: false,
      targetAuthorAci: alice.aci,
      targetAuthorAciBinary: null,
      targetSentTimestamp: BigInt(welcome),
    },
  });
}

export function workshopWorld(world: ScenarioWorld): WorkshopWorld {
  let strangers = 0;
  let groups = 0;
  /** Contacts made for one scenario: never the "known contact" the other scenarios use. */
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
    'safety-number-change': async (toAci) => {
      const from = await friend();
      await reRegister(from);
      await from.sendText(toAci, 'I reinstalled Signal — same number, new safety number.');
      return from.name;
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
    'group-invitation': async (toAci) => {
      groups += 1;
      const suffix = groups === 1 ? '' : ` ${groups}`;
      for (const name of [`Alice${suffix}`, `Bob${suffix}`]) strangerNames.add(name);
      const alice = await world.createContact(`Alice${suffix}`);
      const bob = await world.createContact(`Bob${suffix}`);
      const created = await alice.device.createGroup({
        title: `Workshop group${suffix}`,
        members: [alice.device, bob.device],
      });
      // The invitation reaches us as a group update from Alice (an unknown inviter: a request).
      const group = await alice.device.inviteToGroup(created, await alice.ensureSession(toAci));
      groupHistoryAfterAccept(alice, bob, group, toAci, world.closed).catch((error: unknown) => {
        if (!world.closed.aborted) log.warn('demo.workshop_group_failed', errorFields(error));
      });
      return alice.name;
    },
    'disappearing-chat': async (toAci) => {
      const from = await friend();
      const expireTimer = WORKSHOP_DISAPPEARING_SECONDS;
      await send(from, toAci, { flags: EXPIRATION_TIMER_UPDATE, expireTimer });
      await send(from, toAci, { body: 'This chat now disappears after 5 minutes.', expireTimer });
      return from.name;
    },
  };

  return {
    run: (scenario, toAci) => scenarios[scenario](toAci),
    async friend(fromAci) {
      const contact = await friend();
      const newest = contact.receivedAttachments.filter((a) => a.fromAci === fromAci).at(-1);
      return { aci: contact.aci, name: contact.name, received: newest?.seq ?? 0 };
    },
    async receivedPhoto(fromAci) {
      const contact = await friend();
      const newest = contact.receivedAttachments.filter((a) => a.fromAci === fromAci).at(-1);
      return newest ? decryptReceived(world.cdnDir, newest) : undefined;
    },
  };
}

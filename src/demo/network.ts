/**
 * The local demo network: @signalapp/mock-server on 127.0.0.1 with its published TLS certificate and trust
 * roots, plus simulated contacts (the mock's own "phones"). Used by `npm start`, `npm run demo-server` and
 * every integration test, so Carapace can be demonstrated and tested with no phone and no internet.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import {
  EMPTY_DATA_MESSAGE,
  loadCertificates,
  ReceiptType,
  type Device,
  type PrimaryDevice,
} from '@signalapp/mock-server';
import type { ClientConfig } from '../net/config.js';
import { within } from '../async/within.js';
import { log, errorFields } from '../log.js';
import { DemoServer } from './extensions/demo-server.js';
import { verifyGroupSendTokens } from './extensions/group-send-endorsements.js';
import { echoInGroup } from './group-echo.js';
import { ensureSession, GroupPhone } from './group-phone.js';
import { workshopWorld } from './workshop-scenarios.js';

export interface DemoNetworkOptions {
  /** Interface to bind; only loopback makes sense for a demo. Default 127.0.0.1. */
  readonly host?: string;
  /** TCP port; 0 (default) picks a free one. */
  readonly port?: number;
  /** Directory for the mock CDN (attachments). Default: a fresh temp dir, removed on close. */
  readonly cdnDir?: string;
  /** Messages awaiting a device's ack at once (see DemoServerOptions). Default 1. */
  readonly deliveryWindow?: number;
  /** Clock of the key backup and registration lock ("7 inactive days" in tests). Default Date.now. */
  readonly clock?: () => number;
}

export interface DemoContactOptions {
  /**
   * Reply "Echo: <text>" to each text message, after a delivery and a read receipt; in groups, accept
   * invitations and answer there too (group-echo.ts).
   */
  readonly echo?: boolean;
}

export interface DemoContact {
  readonly name: string;
  /** ACI service id string (a UUID). */
  readonly aci: string;
  /** The simulated phone itself, for tests that drive it directly (sendText, waitForMessage, …). */
  readonly device: PrimaryDevice;
  /** The simulated phone's (random, fake) E.164 number. */
  readonly number: string | undefined;
  /** Number of messages the echo loop answered. */
  readonly echoed: number;
  /** The last attachments the echo loop received (contacts without one read nothing). */
  readonly receivedAttachments: readonly ReceivedAttachment[];
  /**
   * Sends a text message to a registered account (by ACI), first building a session from one of the
   * account's uploaded prekeys when the contact has none yet (a simulated phone does not fetch bundles).
   */
  sendText(toAci: string, text: string, options?: { sealed?: boolean; timestamp?: number }): Promise<void>;
  /** Builds a session to `toAci` from its uploaded prekeys unless one exists. Returns the target device. */
  ensureSession(toAci: string): Promise<Device>;
  /** The contact's phone in groups: read, accept, change and send with a sender key. */
  readonly groups: GroupPhone;
}

/** An attachment pointer a simulated contact received, and from whom. */
export interface ReceivedAttachment {
  /** 1, 2, 3… in the order this contact received them (kept counting when old ones are dropped). */
  readonly seq: number;
  readonly fromAci: string;
  readonly pointer: {
    attachmentIdentifier?: { cdnKey?: string | null } | null;
    key?: Uint8Array | null;
    digest?: Uint8Array | null;
    size?: number | null;
  };
}

export interface DemoNetwork {
  readonly config: ClientConfig;
  readonly server: DemoServer;
  createContact(name: string, options?: DemoContactOptions): Promise<DemoContact>;
  /** Stops echo loops, drops open HTTP/2 sessions and closes the listener. Never hangs (bounded). */
  close(): Promise<void>;
}

const CERTS_DIR = join(
  createRequire(import.meta.url).resolve('@signalapp/mock-server/package.json'),
  '..',
  'certs',
);

/** Received attachment pointers a simulated contact keeps (the workshop reads the newest). */
const KEPT_ATTACHMENTS = 16;

/** How long close() lets an echo reply in progress finish before cutting its delivery off. */
const ECHO_GRACE_MS = 1_000;

type Received = Awaited<ReturnType<PrimaryDevice['waitForMessage']>>;

const STOP = Symbol('stop');
/**
 * Wakes a pending `waitForMessage()` with a sentinel. (The mock's own `PromiseQueue.stop()` throws a
 * bookkeeping error when a waiter is pending, so it cannot be used.)
 */
function wakeMessageQueue(device: PrimaryDevice): void {
  const queue = (device as unknown as { messageQueue?: { push?: (value: unknown) => void } }).messageQueue;
  queue?.push?.(STOP);
}

class Contact implements DemoContact {
  echoed = 0;
  /** Attachment pointers this contact's echo loop received, oldest first (the workshop reads them). */
  readonly receivedAttachments: ReceivedAttachment[] = [];
  readonly groups: GroupPhone;
  #attachmentSeq = 0;
  #stopped = false;
  constructor(
    readonly name: string,
    readonly device: PrimaryDevice,
    private readonly server: DemoServer,
    /** Whether an ACI is one of this network's simulated contacts (Echo never answers those in groups). */
    private readonly isContact: (aci: string) => boolean,
  ) {
    this.groups = new GroupPhone(device, server);
  }

  ensureSession(toAci: string): Promise<Device> {
    return ensureSession(this.device, this.server, toAci);
  }

  async sendText(
    toAci: string,
    text: string,
    options: { sealed?: boolean; timestamp?: number } = {},
  ): Promise<void> {
    const target = await this.ensureSession(toAci);
    await this.device.sendText(target, text, options);
  }
  get aci(): string {
    return this.device.device.aci;
  }
  get number(): string | undefined {
    return this.device.device.number;
  }

  async runEcho(): Promise<void> {
    while (!this.#stopped) {
      let entry: Awaited<ReturnType<PrimaryDevice['waitForMessage']>>;
      try {
        entry = await this.device.waitForMessage();
      } catch {
        continue; // the queue's idle timeout, or stop()
      }
      if (this.#stopped || (entry as unknown) === STOP) return;
      for (const pointer of entry.dataMessage.attachments ?? []) {
        this.#attachmentSeq += 1;
        this.receivedAttachments.push({ seq: this.#attachmentSeq, fromAci: entry.source.aci, pointer });
        if (this.receivedAttachments.length > KEPT_ATTACHMENTS) this.receivedAttachments.shift();
      }
      if (entry.dataMessage.groupV2) await this.#replyInGroup(entry);
      else await this.#reply(entry.source, entry.body, entry.dataMessage);
    }
  }

  async #receipts(source: Device, received: Received['dataMessage']): Promise<void> {
    const messageTimestamp = Number(received.timestamp ?? 0);
    if (messageTimestamp <= 0) return;
    await this.device.sendReceipt(source, {
      type: ReceiptType.Delivery,
      messageTimestamps: [messageTimestamp],
    });
    await this.device.sendReceipt(source, { type: ReceiptType.Read, messageTimestamps: [messageTimestamp] });
  }

  async #replyInGroup(entry: Received): Promise<void> {
    try {
      if (entry.body.length > 0 && !this.isContact(entry.source.aci)) {
        await this.#receipts(entry.source, entry.dataMessage);
      }
      await echoInGroup(this.groups, entry, this.isContact);
    } catch (error) {
      log.warn('demo.group_echo_failed', errorFields(error));
    }
  }

  async #reply(source: Device, body: string, received: Received['dataMessage']): Promise<void> {
    try {
      await this.#receipts(source, received);
      if (body.length > 0) {
        // With our profile key, as a real contact shares it: the recipient can then reach Echo with sealed
        // sender (access key derived from it) and fetch Echo's profile.
        // Like a Signal phone, the reply carries the chat's disappearing timer (and its version) as it
        // received them, so Echo's replies in a timed chat disappear too.
        await this.device.sendRaw(source, {
          content: {
            dataMessage: {
              ...EMPTY_DATA_MESSAGE,
              body: `Echo: ${body}`,
              profileKey: (this.device.profileKey as { serialize(): Uint8Array<ArrayBuffer> }).serialize(),
              timestamp: BigInt(Date.now()),
              expireTimer: received.expireTimer ?? null,
              expireTimerVersion: received.expireTimerVersion ?? null,
            },
          },
          pniSignatureMessage: null,
          senderKeyDistributionMessage: null,
        });
        this.echoed += 1;
      }
    } catch (error) {
      log.warn('demo.echo_failed', errorFields(error));
    }
  }

  stop(): void {
    this.#stopped = true;
    wakeMessageQueue(this.device);
  }
}

export async function startDemoNetwork(options: DemoNetworkOptions = {}): Promise<DemoNetwork> {
  const host = options.host ?? '127.0.0.1';
  const ownCdn = options.cdnDir === undefined;
  const cdnDir = options.cdnDir ?? (await mkdtemp(join(tmpdir(), 'carapace-demo-cdn-')));
  const server = new DemoServer(
    { cdn3Path: cdnDir },
    {
      ...(options.deliveryWindow !== undefined ? { deliveryWindow: options.deliveryWindow } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    },
  );
  await server.listen(options.port ?? 0, host);
  verifyGroupSendTokens(server, options.clock ?? Date.now);
  const { port } = server.address();

  const [certs, caPem] = await Promise.all([
    loadCertificates(),
    readFile(join(CERTS_DIR, 'ca-cert.pem'), 'utf8'),
  ]);
  // The mock's TLS certificate names 127.0.0.1, ::1 and localhost.
  const endpoint = { host, port, servername: host === '127.0.0.1' || host === '::1' ? 'localhost' : host };
  const config: ClientConfig = {
    mode: 'demo',
    chat: endpoint,
    storage: endpoint,
    cdn: { '0': endpoint, '2': endpoint, '3': endpoint },
    tlsTrustRootsPem: [caPem],
    serverPublicParams: certs.serverPublicParams,
    genericServerPublicParams: certs.genericServerPublicParams,
    backupServerPublicParams: certs.backupServerPublicParams,
    unidentifiedDeliveryTrustRoots: [...certs.serverTrustRoots],
  };

  const contacts: Contact[] = [];
  const echoLoops: Promise<void>[] = [];
  let closed = false;

  const createContact = async (
    name: string,
    contactOptions: DemoContactOptions = {},
  ): Promise<DemoContact> => {
    const device = await server.createPrimaryDevice({ profileName: name });
    const contact = new Contact(name, device, server, (aci) => contacts.some((c) => c.aci === aci));
    contacts.push(contact);
    if (contactOptions.echo) echoLoops.push(contact.runEcho());
    return contact;
  };
  const closing = new AbortController();
  server.workshop.setWorld(
    workshopWorld({ server, cdnDir, contacts: () => contacts, createContact, closed: closing.signal }),
  );

  return {
    config,
    server,
    createContact,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      closing.abort();
      for (const contact of contacts) contact.stop();
      // An echo loop can be waiting for a client to acknowledge its reply, possibly forever: give a reply
      // in progress a short grace, then closeNow() fails the pending deliveries and the loops end.
      await within(Promise.allSettled(echoLoops), ECHO_GRACE_MS);
      await server.closeNow();
      if (ownCdn) await rm(cdnDir, { recursive: true, force: true });
    },
  };
}

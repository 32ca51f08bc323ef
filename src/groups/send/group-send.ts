/**
 * Sending to a group conversation (`group:<id>`), as Signal does, for every kind of content the 1:1 path
 * sends (text, reply, reaction, delete, edit, timer, attachments):
 * 1. the DataMessage gets the group context (master key, revision, and the signed change if we made one);
 * 2. each member device that lacks our current sender key gets it 1:1 (sealed when we know the member's
 *    profile key) — a member removed since means a new key first (send-state.ts);
 * 3. the Content is encrypted ONCE under our sender key, sealed, and wrapped for every member device in
 *    one multi-recipient payload, sent over gRPC with a group send token (endorsements.ts) — the server
 *    learns neither the sender nor, beyond the token's proof, more than which accounts receive it;
 * 4. 409/410 (a member added or replaced a device): the named sessions are fixed and that member's devices
 *    get the key again, then one retry;
 * 5. a member whose session, key distribution or share of the multi-recipient send fails — or everyone,
 *    when the server refuses the token or issues none — gets the message 1:1 instead (fallback). One
 *    member failing never fails the others; the send fails only when no member got it.
 * Blocked contacts who are members still receive (Signal's rule: blocking a person does not change the
 * group; leave the group to stop writing to them).
 */
import { performance } from 'node:perf_hooks';
import { ContentHint, ProtocolAddress } from '@signalapp/libsignal-client';
import type { SerialQueue } from '../../async/serial-queue.js';
import { GrpcStatusError, PreconditionError, RecipientNotRegisteredError } from '../../errors.js';
import { errorFields, log } from '../../log.js';
import type { DeliverExtras, GroupDelivery, OneToOneDelivery, SendFlags } from '../../messaging/delivery.js';
import type { Conversation } from '../../messaging/store.js';
import type { GrpcClient } from '../../net/grpc.js';
import { sendMultiRecipientMessage } from '../../net/grpc-multi-recipient.js';
import { groupEncryptSealed, senderKeyDistribution } from '../../signal/cipher.js';
import { encodeContent, padContent, type Content } from '../../signal/proto/signal-service.js';
import type { SignalProtocolStores } from '../../signal/stores/index.js';
import { membershipOf, type GroupState } from '../group-state.js';
import { groupIdOfConversation, secretParamsOf, type GroupStore } from '../group-store.js';
import { encodeGroupContext } from '../proto.js';
import type { GroupEndorsements } from './endorsements.js';
import type { MessageRecipients } from './recipients.js';
import type { GroupSendState } from './send-state.js';

/** One try, then one retry after the server named devices we did not know of (409/410). */
const MULTI_RECIPIENT_ATTEMPTS = 2;
/** 1:1 round trips (prekey fetches, key distribution, fallback sends) in flight at once. */
const CONCURRENCY = 8;

/** `work` for every item, at most CONCURRENCY at a time (each handles its own failure). */
async function eachConcurrently<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
}

export interface GroupSendOptions {
  readonly groups: GroupStore;
  readonly state: GroupSendState;
  readonly recipients: MessageRecipients;
  readonly endorsements: GroupEndorsements;
  readonly stores: SignalProtocolStores;
  /** The unauthenticated gRPC channel on the client's route (multi-recipient sends carry no identity). */
  readonly grpc: GrpcClient;
  readonly us: { readonly aci: string; readonly deviceId: number };
  /** The client's write queue: every protocol-state read and write of a send runs in it. */
  readonly lock: SerialQueue;
}

interface Target {
  readonly id: string;
  readonly masterKey: Uint8Array;
  readonly state: GroupState;
}

type Outcome = Map<string, 'sent' | 'failed'>;

/**
 * Where a group send spends its time (ms, wall clock): the group's stored state read and the message
 * built, sessions/identities checked per member, the sender
 * key distribution (none in the steady state), the endorsements combined into a token, the one
 * multi-recipient encryption, the gRPC round trip, 1:1 fallback sends, the per-member rows written.
 */
export interface GroupSendPhases {
  state: number;
  sessions: number;
  distribution: number;
  token: number;
  encrypt: number;
  request: number;
  fallback: number;
  record: number;
}

const noPhases = (): GroupSendPhases => ({
  state: 0,
  sessions: 0,
  distribution: 0,
  token: 0,
  encrypt: 0,
  request: 0,
  fallback: 0,
  record: 0,
});

export class GroupSend implements GroupDelivery {
  /** Accepted multi-recipient sends, sender-key distributions and 1:1 fallback sends (per member). */
  readonly stats = { multiRecipient: 0, distributions: 0, fallback: 0 };
  /** The phases of the latest send (for measurements: bench/groups.bench.ts). */
  phases: GroupSendPhases = noPhases();

  constructor(private readonly options: GroupSendOptions) {}

  async deliver(
    conversation: Conversation,
    content: Content,
    timestamp: number,
    flags: SendFlags,
    extras: DeliverExtras,
    direct: OneToOneDelivery,
  ): Promise<void> {
    const started = performance.now();
    const group = this.#target(conversation);
    const members = group.state.members.filter((m) => m.aci !== this.options.us.aci);
    const profileKeys = new Map(
      members.map((m) => [m.aci, m.profileKey ? new Uint8Array(Buffer.from(m.profileKey, 'base64')) : null]),
    );
    const bytes = encodeContent(this.#withGroup(content, group, extras));
    const outcome: Outcome = new Map();
    const failures: unknown[] = [];
    this.phases = { ...noPhases(), state: performance.now() - started };
    try {
      const fallback = await this.#multiRecipient(group, [...profileKeys.keys()], bytes, timestamp, flags, {
        direct,
        profileKeys,
        outcome,
      });
      await this.#timed('fallback', () =>
        eachConcurrently([...fallback], async (aci) => {
          try {
            await direct.sendTo(aci, bytes, timestamp, flags, profileKeys.get(aci) ?? null);
            outcome.set(aci, 'sent');
            this.stats.fallback += 1;
          } catch (error) {
            log.info('groups.send.member_failed', errorFields(error));
            outcome.set(aci, 'failed');
            failures.push(error);
          }
        }),
      );
    } finally {
      bytes.fill(0);
      for (const key of profileKeys.values()) key?.fill(0);
    }
    await this.#timed('record', () =>
      this.options.lock.run(() => this.#record(conversation, timestamp, outcome)),
    );
    log.info('groups.send.done', {
      members: members.length,
      sent: [...outcome.values()].filter((s) => s === 'sent').length,
    });
    if (members.length > 0 && ![...outcome.values()].includes('sent')) {
      if (failures.length > 0) throw failures[0];
      // Only unregistered members (the server said so): no error of ours to pass on.
      throw new RecipientNotRegisteredError('No member of this group is registered on Signal any more.');
    }
  }

  async #timed<T>(phase: keyof GroupSendPhases, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.phases[phase] += performance.now() - start;
    }
  }

  /** The group we send to, or a PreconditionError (nothing sent) when we are not a member of it. */
  #target(conversation: Conversation): Target {
    const id = groupIdOfConversation(conversation.serviceId) ?? '';
    const stored = this.options.groups.get(id);
    if (!stored?.state) throw new PreconditionError('This group is not known here yet; nothing was sent.');
    if (membershipOf(stored.state, this.options.us) !== 'member') {
      throw new PreconditionError('You are not a member of this group, so nothing was sent to it.');
    }
    if (stored.state.terminated) throw new PreconditionError('This group has ended; nothing was sent.');
    return { id, masterKey: stored.masterKey, state: stored.state };
  }

  /**
   * The group context on the DataMessage (also an edit's), the group id on a typing indicator. A caller
   * that built the context itself (a group change it announces) keeps its own.
   */
  #withGroup(content: Content, group: Target, extras: DeliverExtras): Content {
    if (content.dataMessage?.groupV2) return content;
    const groupV2 = encodeGroupContext({
      masterKey: group.masterKey,
      revision: group.state.revision,
      ...(extras.groupChange ? { groupChange: extras.groupChange } : {}),
    });
    const groupId = new Uint8Array(Buffer.from(group.id, 'base64'));
    return {
      ...content,
      ...(content.dataMessage ? { dataMessage: { ...content.dataMessage, groupV2 } } : {}),
      ...(content.editMessage?.dataMessage
        ? {
            editMessage: {
              ...content.editMessage,
              dataMessage: { ...content.editMessage.dataMessage, groupV2 },
            },
          }
        : {}),
      ...(content.typingMessage ? { typingMessage: { ...content.typingMessage, groupId } } : {}),
    };
  }

  /**
   * The sender-key path for `members`; returns those who must get it 1:1 instead. Records the members the
   * server accepted it for (or reported unregistered) in `ctx.outcome`.
   */
  async #multiRecipient(
    group: Target,
    members: readonly string[],
    bytes: Uint8Array,
    timestamp: number,
    flags: SendFlags,
    ctx: { direct: OneToOneDelivery; profileKeys: ReadonlyMap<string, Uint8Array | null>; outcome: Outcome },
  ): Promise<Set<string>> {
    const fallback = new Set<string>();
    const { direct, profileKeys } = ctx;
    await this.#timed('sessions', () =>
      eachConcurrently(members, async (aci) => {
        try {
          await direct.ensureSessions(aci, profileKeys.get(aci) ?? null);
        } catch (error) {
          log.info('groups.send.no_session', errorFields(error));
          fallback.add(aci);
        }
      }),
    );
    let pending = members.filter((aci) => !fallback.has(aci));
    const secretParams = secretParamsOf(group.masterKey);
    for (let attempt = 1; attempt <= MULTI_RECIPIENT_ATTEMPTS && pending.length > 0; attempt += 1) {
      const { distributionId, failed } = await this.#timed('distribution', async () => {
        const id = await this.options.lock.run(() =>
          this.options.state.distribution(
            group.id,
            group.state.members.map((m) => m.aci),
          ),
        );
        return { distributionId: id, failed: await this.#distribute(group.id, id, pending, timestamp, ctx) };
      });
      for (const aci of failed) fallback.add(aci);
      pending = pending.filter((aci) => !fallback.has(aci));
      if (pending.length === 0) break;
      const token = await this.#timed('token', () =>
        this.options.endorsements.token(group.id, secretParams, pending).catch((error: unknown) => {
          log.warn('groups.send.no_endorsements', errorFields(error));
          return undefined;
        }),
      );
      if (!token) break;
      let result: Awaited<ReturnType<typeof sendMultiRecipientMessage>>;
      try {
        const payload = await this.#timed('encrypt', () =>
          this.#encrypt(group.id, distributionId, pending, bytes, flags, direct),
        );
        result = await this.#timed('request', () =>
          sendMultiRecipientMessage(this.options.grpc, {
            payload,
            timestamp,
            online: flags.online,
            urgent: flags.urgent,
            groupSendToken: token,
          }),
        );
      } catch (error) {
        log.warn('groups.send.multi_recipient_failed', errorFields(error));
        if (error instanceof GrpcStatusError) await this.options.endorsements.invalidate(group.id);
        break;
      }
      if (result.kind === 'unauthorized') {
        log.warn('groups.send.token_refused');
        await this.options.endorsements.invalidate(group.id);
        break;
      }
      if (result.kind === 'sent') {
        this.stats.multiRecipient += 1;
        const unregistered = new Set(result.unregistered);
        for (const aci of pending) ctx.outcome.set(aci, unregistered.has(aci) ? 'failed' : 'sent');
        pending = [];
        break;
      }
      log.info('groups.send.mismatched_devices', { members: result.devices.length, attempt });
      for (const mismatch of result.devices) {
        try {
          await direct.fixDevices(mismatch.serviceId, mismatch, profileKeys.get(mismatch.serviceId) ?? null);
        } catch (error) {
          log.info('groups.send.devices_unfixable', errorFields(error));
          fallback.add(mismatch.serviceId);
        }
        await this.options.lock.run(() => this.options.state.forgetDevices(group.id, mismatch.serviceId));
      }
      pending = pending.filter((aci) => !fallback.has(aci));
    }
    for (const aci of pending) fallback.add(aci);
    return fallback;
  }

  /** Our sender key to each member device that lacks it (or had it under another identity key). */
  async #distribute(
    groupId: string,
    distributionId: string,
    members: readonly string[],
    timestamp: number,
    ctx: { direct: OneToOneDelivery; profileKeys: ReadonlyMap<string, Uint8Array | null> },
  ): Promise<string[]> {
    const { stores, state, lock, us } = this.options;
    const local = ProtocolAddress.new(us.aci, us.deviceId);
    // Steady state (everyone has the key): one read of identities and one of devices for all members.
    const { shared, identities, devices } = await lock.run(() => ({
      shared: state.shared(groupId, distributionId),
      identities: stores.aci.identity.remotePublicKeys(members),
      devices: stores.aci.sessions.deviceIdsOf(members),
    }));
    const lacking = members.filter((aci) => {
      const identity = identities.get(aci)?.serialize();
      const key = identity ? Buffer.from(identity).toString('base64') : '';
      return !identity || !(devices.get(aci) ?? []).every((d) => state.hasShared(shared, aci, d, key));
    });
    if (lacking.length === 0) return [];
    const message = await lock.run(() => senderKeyDistribution(local, distributionId, stores.senderKeys));
    const bytes = encodeContent({ senderKeyDistributionMessage: message });
    const failed: string[] = [];
    await eachConcurrently(lacking, async (aci) => {
      try {
        const flags = { online: false, urgent: false };
        await ctx.direct.sendTo(aci, bytes, timestamp, flags, ctx.profileKeys.get(aci) ?? null);
        this.stats.distributions += 1;
        await lock.run(() => {
          const identity = stores.aci.identity.getRemoteIdentity(aci)?.publicKey.serialize();
          if (identity)
            state.markShared(groupId, distributionId, aci, stores.aci.sessions.deviceIds(aci), identity);
        });
      } catch (error) {
        log.info('groups.send.distribution_failed', errorFields(error));
        failed.push(aci);
      }
    });
    return failed;
  }

  async #encrypt(
    groupId: string,
    distributionId: string,
    members: readonly string[],
    bytes: Uint8Array,
    flags: SendFlags,
    direct: OneToOneDelivery,
  ): Promise<Uint8Array> {
    const { stores, us, lock } = this.options;
    const certificate = await direct.senderCertificate();
    return lock.run(async () => {
      const padded = padContent(bytes);
      try {
        const devices = stores.aci.sessions.deviceIdsOf(members);
        const recipients = members.flatMap((aci) =>
          (devices.get(aci) ?? []).map((d) => ProtocolAddress.new(aci, d)),
        );
        return await groupEncryptSealed(
          padded,
          { local: ProtocolAddress.new(us.aci, us.deviceId), distributionId },
          {
            certificate,
            // Receipts and typing need no resend; messages may be asked for again (Signal's hints).
            contentHint: flags.urgent ? ContentHint.Resendable : ContentHint.Implicit,
            groupId: Buffer.from(groupId, 'base64'),
          },
          recipients,
          {
            sessions: stores.aci.sessions,
            identity: stores.aci.identity.withIdentitiesOf(members),
            senderKeys: stores.senderKeys,
          },
        );
      } finally {
        padded.fill(0);
      }
    });
  }

  /** Per-member outcome of a send whose message is in the timeline (changes like reactions have none). */
  #record(conversation: Conversation, timestamp: number, outcome: Outcome): void {
    this.options.recipients.record(conversation.id, timestamp, outcome);
  }
}

/**
 * Bringing a stored group up to the server's revision and keeping its conversation in step:
 * - a member applies the change log (`GET /v2/groups/logs/{revision + 1}`) in order; each change's server
 *   signature is verified where the server sent one, and ONE bad signature refuses the whole batch
 *   (ProtocolError, nothing stored); a log entry without the state after it, or a log we may not read
 *   (invited, removed), falls back to one full state fetch;
 * - each state stored writes what changed as a `group-change` event in the group's conversation
 *   (group-changes.ts), names the conversation after the title and makes its timer the group's timer.
 * Network first; every write in the client's write queue, in one transaction per batch.
 */
import {
  ClientZkGroupCipher,
  UuidCiphertext,
  type GroupSecretParams,
} from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import { CarapaceError, PreconditionError, ProtocolError } from '../errors.js';
import { errorFields, log } from '../log.js';
import type { MessageStore } from '../messaging/store.js';
import type { GroupCredentials } from './credentials.js';
import { describeChange } from './group-changes.js';
import { addedByStranger } from './group-messages.js';
import type { GroupAuth, GroupServer } from './group-server.js';
import { decryptGroupState, membershipOf, type GroupState } from './group-state.js';
import { groupConversationServiceId, groupIdOf, secretParamsOf, type GroupStore } from './group-store.js';
import { decodeGroupChangeActions, type GroupChangeProto } from './proto.js';

export type Membership = 'member' | 'invited' | 'none';

export interface KnownGroup {
  readonly id: string;
  readonly membership: Membership;
  readonly state: GroupState;
  /** The group's timeline (null while we are neither member nor invited). */
  readonly conversationId: string | null;
}

export interface GroupSyncOptions {
  readonly store: GroupStore;
  readonly messages: MessageStore;
  readonly credentials: GroupCredentials;
  readonly server: GroupServer;
  /** The client's write queue (MessagingClient.runExclusive). */
  readonly exclusive: <T>(write: () => T) => Promise<T>;
  readonly us: { readonly aci: string; readonly pni: string | undefined };
  readonly clock: () => number;
}

/** A state to store and who led to it (null: unknown). */
interface Step {
  readonly state: GroupState;
  readonly actor: string | null;
}

/** Who made a change we know of (our own, or one signed by the server), for a full-fetch fallback. */
export interface KnownChange {
  readonly revision: number;
  readonly actor: string;
}

export class GroupSync {
  constructor(private readonly options: GroupSyncOptions) {}

  /** Who we are to the group service for this group: its public params and our auth presentation. */
  async auth(secretParams: GroupSecretParams): Promise<GroupAuth> {
    return {
      publicParams: secretParams.getPublicParams().serialize(),
      presentation: await this.options.credentials.authPresentation(secretParams),
    };
  }

  /** Fetch the group's whole current state and store it (no change log). */
  async refresh(masterKey: Uint8Array, known?: KnownChange): Promise<KnownGroup> {
    const secretParams = secretParamsOf(masterKey);
    const state = decryptGroupState(
      secretParams,
      await this.options.server.fetch(await this.auth(secretParams)),
    );
    const actor = known?.revision === state.revision ? known.actor : null;
    return this.store(groupIdOf(secretParams), masterKey, [{ state, actor }]);
  }

  /**
   * Bring a known group up to date: the change log when we are a member (each change applied in order,
   * as a timeline event), else — or when the log cannot be used — a full fetch.
   */
  async update(groupId: string, known?: KnownChange): Promise<KnownGroup> {
    const stored = this.options.store.get(groupId);
    if (!stored) throw new PreconditionError('This group is not known here.');
    const current = stored.state;
    if (current && membershipOf(current, this.options.us) === 'member') {
      const steps = await this.fromLog(stored.masterKey, current.revision);
      if (steps?.length) return this.store(groupId, stored.masterKey, steps);
    }
    return this.refresh(stored.masterKey, known);
  }

  /** Check the signature of a change the server returned or a member sent (ProtocolError if it fails). */
  verify(change: GroupChangeProto): void {
    if (!change.actions?.length) throw new ProtocolError('Group change without actions.');
    if (change.serverSignature?.length) {
      this.options.credentials.verifyChange(change.actions, change.serverSignature);
    }
  }

  /** The author of a change (its signed actions' source), or null when it does not decrypt. */
  actorOf(secretParams: GroupSecretParams, change: GroupChangeProto): string | null {
    const source = change.actions?.length ? decodeGroupChangeActions(change.actions).sourceUserId : undefined;
    if (!source?.length) return null;
    try {
      const cipher = new ClientZkGroupCipher(secretParams);
      return cipher.decryptServiceId(new UuidCiphertext(Buffer.from(source))).getServiceIdString();
    } catch {
      return null;
    }
  }

  /**
   * The states after each change since `revision`, verified; undefined when the log cannot be used (the
   * caller fetches the state instead). A bad signature or a state that does not decrypt throws.
   */
  private async fromLog(masterKey: Uint8Array, revision: number): Promise<Step[] | undefined> {
    const secretParams = secretParamsOf(masterKey);
    let entries;
    try {
      entries = await this.options.server.logs(await this.auth(secretParams), revision + 1);
    } catch (error) {
      if (!(error instanceof CarapaceError) || error instanceof ProtocolError) throw error;
      log.info('groups.log_unavailable', errorFields(error));
      return undefined;
    }
    const steps: Step[] = [];
    for (const entry of entries) {
      if (entry.groupChange) this.verify(entry.groupChange);
      if (!entry.groupState) return undefined; // Signal sends states only when asked: fetch the last one
      const state = decryptGroupState(secretParams, entry.groupState);
      if (state.revision <= (steps.at(-1)?.state.revision ?? revision)) continue;
      const actor = entry.groupChange ? this.actorOf(secretParams, entry.groupChange) : null;
      steps.push({ state, actor });
    }
    return steps;
  }

  /** Store the states in order (one transaction in the write queue); returns the group as now known. */
  private store(id: string, masterKey: Uint8Array, steps: readonly Step[]): Promise<KnownGroup> {
    const { messages } = this.options;
    return this.options.exclusive(() =>
      messages.transaction(() => {
        let known: KnownGroup | undefined;
        for (const step of steps) known = this.save(id, masterKey, step);
        if (!known) throw new ProtocolError('The group service sent no group state.');
        return known;
      }),
    );
  }

  /** Synchronous: one state, its conversation and its timeline event. */
  private save(id: string, masterKey: Uint8Array, { state, actor }: Step): KnownGroup {
    const { messages, store, us } = this.options;
    const stored = store.get(id);
    const before = stored?.state ?? null;
    const membership = membershipOf(state, us);
    const existing = messages.findConversationByServiceId(groupConversationServiceId(id));
    let conversationId = existing?.id ?? null;
    if (membership !== 'none' && !(before && before.revision >= state.revision)) {
      // An invitation, or a group a stranger added us to, is held like a message request until accepted
      // (no receipts, nothing fetched: group-messages.ts).
      const conversation =
        existing ??
        messages.getOrCreateConversation(groupConversationServiceId(id), {
          isRequest: membership === 'invited' || addedByStranger(stored?.toldBy ?? null, messages),
          isContact: false,
        });
      messages.updateConversation(conversation.id, {
        profileName: state.title,
        expireTimerSeconds: state.timerSeconds,
        // Only our acceptance promotes us from invited to member: that accepts the request too.
        ...(membership === 'member' &&
        conversation.isRequest &&
        before &&
        membershipOf(before, us) === 'invited'
          ? { isRequest: false, acceptedAt: this.options.clock() }
          : {}),
      });
      conversationId = conversation.id;
    }
    if (!store.saveState(id, masterKey, state, conversationId)) {
      log.info('groups.state_ignored', { reason: 'older-revision' });
      const newer = store.get(id)?.state ?? state;
      return { id, membership: membershipOf(newer, us), state: newer, conversationId };
    }
    if (conversationId !== null && before?.revision !== state.revision) {
      const inviter = state.pending.find((p) => p.serviceId === us.aci || p.serviceId === us.pni)?.addedBy;
      const record = describeChange(before, state, actor ?? (before ? null : (inviter ?? null)), us);
      if (record.changes.length > 0) messages.addEvent(conversationId, 'group-change', { ...record });
    }
    return { id, membership, state, conversationId };
  }
}

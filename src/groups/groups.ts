/**
 * Groups v2 for one account: what the vault knows of a group, and everything we change in one — create,
 * invite, accept or decline an invitation, leave, title, disappearing timer. Each change is one signed
 * PATCH of the group service (its signature verified), then the group is brought up to date through the
 * change log (group-sync.ts: timeline events, conversation), then announced to the members as a
 * DataMessage carrying the group context and the signed change, as Signal's clients expect.
 *
 * The mock server drops a PATCH's `addMembers` (the revision bumps, nobody is added), so `invite` adds
 * members as invitations (pending members who accept); `create` adds the members we hold a profile key
 * credential for directly (the server takes them in the new group's state) and invites the others.
 */
import { ServiceId } from '@signalapp/libsignal-client';
import { ClientZkGroupCipher, GroupSecretParams } from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import { NotFoundError, PreconditionError } from '../errors.js';
import { errorFields, log } from '../log.js';
import { GroupConflictError } from './group-server.js';
import { checkedGroupTitle } from './group-rules.js';
import { decryptGroupState, mayChange, membershipOf } from './group-state.js';
import { secretParamsOf } from './group-store.js';
import { GroupSync, type GroupSyncOptions, type KnownChange, type KnownGroup } from './group-sync.js';
import {
  AccessRequired,
  encodeAttributeBlob,
  encodeGroupChange,
  encodeGroupContext,
  MemberRole,
  type GroupAttributeBlobProto,
  type GroupChangeActionsProto,
  type GroupChangeProto,
  type MemberProto,
} from './proto.js';

export type { KnownGroup } from './group-sync.js';

export interface GroupsOptions extends GroupSyncOptions {
  /**
   * Tell of our change: a DataMessage with `groupV2` (Signal's GroupContextV2, encoded) and the group's
   * timer to a conversation — the group's (the client's group delivery) or an invitee's 1:1 chat.
   */
  readonly announce: (
    conversationId: string,
    groupV2: Uint8Array,
    timerSeconds: number | null,
  ) => Promise<void>;
  /** Drop a conversation with its messages (a declined invitation). */
  readonly removeConversation: (conversationId: string) => Promise<void>;
}

export interface NewGroup {
  readonly title: string;
  /** The members' ACIs (not us). */
  readonly members: readonly string[];
  readonly timerSeconds?: number | null;
}

export class Groups {
  private readonly sync: GroupSync;

  constructor(private readonly options: GroupsOptions) {
    this.sync = new GroupSync(options);
  }

  /** What the vault holds of a group (undefined when unknown or not fetched yet). */
  get(groupId: string): KnownGroup | undefined {
    const stored = this.options.store.get(groupId);
    if (!stored?.state) return undefined;
    const { state, conversationId } = stored;
    return { id: groupId, membership: membershipOf(state, this.options.us), state, conversationId };
  }

  /** Fetch, decrypt and store the group of this master key; returns what we now know of it. */
  refresh(masterKey: Uint8Array): Promise<KnownGroup> {
    return this.sync.refresh(masterKey);
  }

  /** Bring a known group up to date (change log, else full state): a message said it has a newer revision. */
  update(groupId: string): Promise<KnownGroup> {
    return this.sync.update(groupId);
  }

  /**
   * Create a group with us as its administrator: members we hold a profile key for join with their
   * expiring profile key credential; the others (no key, or the server issues no credential) are invited.
   */
  async create(group: NewGroup): Promise<KnownGroup> {
    const { credentials, server, us } = this.options;
    const title = checkedGroupTitle(group.title);
    const secretParams = GroupSecretParams.generate();
    const cipher = new ClientZkGroupCipher(secretParams);
    const encrypt = (serviceId: string) =>
      cipher.encryptServiceId(ServiceId.parseFromServiceIdString(serviceId)).serialize();
    const members: MemberProto[] = [
      {
        role: MemberRole.ADMINISTRATOR,
        presentation: await credentials.profileKeyPresentation(secretParams),
      },
    ];
    const invited: string[] = [];
    for (const aci of new Set(group.members)) {
      if (aci === us.aci) continue;
      const presentation = await this.memberPresentation(secretParams, aci);
      if (presentation) members.push({ role: MemberRole.DEFAULT, presentation });
      else invited.push(aci);
    }
    const timer = group.timerSeconds ?? null;
    const created = await server.create(await this.sync.auth(secretParams), {
      publicKey: secretParams.getPublicParams().serialize(),
      title: this.blob(secretParams, { title }),
      ...(timer
        ? { disappearingMessagesTimer: this.blob(secretParams, { disappearingMessagesDuration: timer }) }
        : {}),
      accessControl: {
        attributes: AccessRequired.MEMBER,
        members: AccessRequired.MEMBER,
        addFromInviteLink: AccessRequired.UNSATISFIABLE,
      },
      version: 0,
      members,
      membersPendingProfileKey: invited.map((aci) => ({
        member: { userId: encrypt(aci), role: MemberRole.DEFAULT },
        addedByUserId: encrypt(us.aci),
        timestamp: this.options.clock(),
      })),
    });
    decryptGroupState(secretParams, created); // what the server holds must be a group we can read
    const masterKey = secretParams.getMasterKey().serialize();
    const known = await this.sync.refresh(masterKey, { revision: 0, actor: us.aci });
    log.info('groups.created', { members: members.length, invited: invited.length });
    await this.announce(known.id, known.state.revision, undefined, invited);
    return known;
  }

  /** Invite members (ACIs) to a group we are in; those already in or invited are skipped. */
  async invite(groupId: string, acis: readonly string[]): Promise<KnownGroup> {
    const current = this.member(groupId, 'members');
    const inGroup = new Set([
      ...current.state.members.map((m) => m.aci),
      ...current.state.pending.map((p) => p.serviceId),
    ]);
    const fresh = [...new Set(acis)].filter((aci) => !inGroup.has(aci));
    if (fresh.length === 0) return current;
    return this.change(
      groupId,
      (cipher) => ({
        addMembersPendingProfileKey: fresh.map((aci) => ({
          added: {
            member: {
              userId: cipher.encryptServiceId(ServiceId.parseFromServiceIdString(aci)).serialize(),
              role: MemberRole.DEFAULT,
            },
          },
        })),
      }),
      'after',
      fresh,
    );
  }

  /**
   * Accept an invitation: present our profile key credential to promote ourselves from invited to member
   * (an invitation to our PNI is accepted with our ACI, as Signal does).
   */
  async acceptInvitation(groupId: string): Promise<KnownGroup> {
    const { credentials, us } = this.options;
    const current = await this.fresh(groupId);
    if (current.membership === 'member') return current;
    const invited = current.state.pending.find((p) => p.serviceId === us.aci || p.serviceId === us.pni);
    if (!invited) throw new PreconditionError('There is no invitation to this account in this group.');
    const presentation = await credentials.profileKeyPresentation(this.secretParams(groupId));
    const promote = [{ presentation }];
    const known = await this.change(groupId, () =>
      invited.serviceId === us.aci
        ? { promoteMembersPendingProfileKey: promote }
        : { promoteMembersPendingPniAciProfileKey: promote },
    );
    log.info('groups.invitation_accepted', { to: invited.serviceId === us.aci ? 'aci' : 'pni' });
    return known;
  }

  /** Decline an invitation: our pending entry is deleted, and the group's conversation with it. */
  async declineInvitation(groupId: string): Promise<void> {
    const { us } = this.options;
    const current = await this.fresh(groupId);
    const invited = current.state.pending.find((p) => p.serviceId === us.aci || p.serviceId === us.pni);
    if (current.membership !== 'invited' || !invited) {
      throw new PreconditionError('There is no invitation to this account in this group.');
    }
    await this.change(
      groupId,
      (cipher) => ({
        deleteMembersPendingProfileKey: [
          {
            deletedUserId: cipher
              .encryptServiceId(ServiceId.parseFromServiceIdString(invited.serviceId))
              .serialize(),
          },
        ],
      }),
      'never',
    );
    if (current.conversationId) await this.options.removeConversation(current.conversationId);
    log.info('groups.invitation_declined');
  }

  /** Leave a group: we stop being a member (and sending); its history stays, saying we left. */
  async leave(groupId: string): Promise<KnownGroup> {
    const { us } = this.options;
    this.member(groupId);
    return this.change(
      groupId,
      (cipher) => ({
        deleteMembers: [
          { deletedUserId: cipher.encryptServiceId(ServiceId.parseFromServiceIdString(us.aci)).serialize() },
        ],
      }),
      'before',
    );
  }

  async setTitle(groupId: string, title: string): Promise<KnownGroup> {
    const checked = checkedGroupTitle(title);
    const current = this.member(groupId, 'attributes');
    if (current.state.title === checked) return current;
    return this.change(groupId, () => ({
      modifyTitle: { title: this.blob(this.secretParams(groupId), { title: checked }) },
    }));
  }

  /** The group's disappearing-messages timer (null or 0: off), for every member. */
  async setTimer(groupId: string, seconds: number | null): Promise<KnownGroup> {
    const current = this.member(groupId, 'attributes');
    const next = seconds && seconds > 0 ? seconds : null;
    if (current.state.timerSeconds === next) return current;
    return this.change(groupId, () => ({
      modifyDisappearingMessageTimer: {
        timer: this.blob(this.secretParams(groupId), { disappearingMessagesDuration: next ?? 0 }),
      },
    }));
  }

  // ---- internals ------------------------------------------------------------------------------

  /** The group as stored, refused unless we are a member (NOT_FOUND / PRECONDITION). */
  private member(groupId: string, rule?: 'attributes' | 'members'): KnownGroup {
    const known = this.get(groupId);
    if (!known) throw new NotFoundError('This group is not known here.');
    if (known.membership !== 'member') throw new PreconditionError('You are not a member of this group.');
    if (rule && !mayChange(known.state, this.options.us, rule)) {
      throw new PreconditionError(
        rule === 'members'
          ? 'Only administrators may add members to this group.'
          : 'Only administrators may change this group’s settings.',
      );
    }
    return known;
  }

  private async fresh(groupId: string): Promise<KnownGroup> {
    if (!this.options.store.get(groupId)) throw new NotFoundError('This group is not known here.');
    return this.sync.update(groupId);
  }

  private secretParams(groupId: string): GroupSecretParams {
    const stored = this.options.store.get(groupId);
    if (!stored) throw new NotFoundError('This group is not known here.');
    return secretParamsOf(stored.masterKey);
  }

  private blob(secretParams: GroupSecretParams, content: GroupAttributeBlobProto): Uint8Array {
    return new ClientZkGroupCipher(secretParams).encryptBlob(Buffer.from(encodeAttributeBlob(content)));
  }

  /** A member's presentation from the profile key we hold for them; undefined: invite them instead. */
  private async memberPresentation(
    secretParams: GroupSecretParams,
    aci: string,
  ): Promise<Uint8Array | undefined> {
    const { messages, credentials } = this.options;
    const conversation = messages.findConversationByServiceId(aci);
    const profileKey = conversation ? messages.getProfileKey(conversation.id) : null;
    if (!profileKey) return undefined;
    try {
      return await credentials.presentationFor(secretParams, aci, profileKey);
    } catch (error) {
      log.info('groups.member_invited_instead', errorFields(error));
      return undefined;
    } finally {
      profileKey.fill(0);
    }
  }

  /**
   * One change of ours: PATCH at our revision + 1 (once more after catching up when the group changed
   * meanwhile), its signature verified, then the group updated and the members told.
   */
  private async change(
    groupId: string,
    build: (cipher: ClientZkGroupCipher) => GroupChangeActionsProto,
    /** When to tell the members: after the update, before it (leaving: we can no longer send after), never. */
    announce: 'after' | 'before' | 'never' = 'after',
    /** Invited by this change: they are not members yet, so they are told one by one. */
    invitees: readonly string[] = [],
  ): Promise<KnownGroup> {
    const secretParams = this.secretParams(groupId);
    const cipher = new ClientZkGroupCipher(secretParams);
    let signed: GroupChangeProto | undefined;
    let revision = 0;
    for (let attempt = 1; !signed; attempt += 1) {
      revision = (this.options.store.get(groupId)?.state?.revision ?? 0) + 1;
      try {
        signed = await this.options.server.modify(await this.sync.auth(secretParams), {
          ...build(cipher),
          version: revision,
        });
      } catch (error) {
        if (attempt > 1 || !(error instanceof GroupConflictError)) throw error;
        await this.sync.update(groupId);
      }
    }
    this.sync.verify(signed);
    const actor = this.sync.actorOf(secretParams, signed) ?? this.options.us.aci;
    const known: KnownChange = { revision, actor };
    if (announce === 'before') await this.announce(groupId, revision, signed);
    const updated = await this.sync.update(groupId, known);
    if (announce === 'after') await this.announce(groupId, updated.state.revision, signed, invitees);
    return updated;
  }

  /**
   * Tell the members (best effort: the change is made; a member who misses it catches up by revision) —
   * the members of the group as stored now, at `revision` — and those it invited.
   */
  private async announce(
    groupId: string,
    revision: number,
    change: GroupChangeProto | undefined,
    invitees: readonly string[] = [],
  ): Promise<void> {
    const stored = this.options.store.get(groupId);
    if (!stored?.conversationId) return;
    const context = encodeGroupContext({
      masterKey: stored.masterKey,
      revision,
      ...(change ? { groupChange: encodeGroupChange(change) } : {}),
    });
    const timer = stored.state?.timerSeconds ?? null;
    // The group's members through the group send; an invitee (no member yet) in their 1:1 chat, as Signal
    // does, so their phone learns of the invitation (one we have no chat with learns of it from the group's
    // next message to them, or from the members).
    const chats = [
      stored.conversationId,
      ...invitees.flatMap((aci) => this.options.messages.findConversationByServiceId(aci)?.id ?? []),
    ];
    for (const conversationId of chats) {
      try {
        await this.options.announce(conversationId, context, timer);
      } catch (error) {
        log.warn('groups.announce_failed', errorFields(error));
      }
    }
  }
}

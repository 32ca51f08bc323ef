/**
 * Groups v2 for one account: fetch a group's state from the group service with a zero-knowledge auth
 * presentation, decrypt it with the group's master key, store it in the vault with the group's conversation,
 * and accept an invitation (promote ourselves from invited to member with our profile key credential).
 * Network first, then one write in the client's write queue, so no vault transaction waits on the network;
 * a state that does not decrypt is a ProtocolError and nothing is stored.
 */
import { PreconditionError } from '../errors.js';
import { log } from '../log.js';
import type { MessageStore } from '../messaging/store.js';
import type { GroupCredentials } from './credentials.js';
import type { GroupServer } from './group-server.js';
import { decryptGroupState, membershipOf, type GroupState } from './group-state.js';
import { groupConversationServiceId, groupIdOf, secretParamsOf, type GroupStore } from './group-store.js';

export type Membership = 'member' | 'invited' | 'none';

export interface KnownGroup {
  readonly id: string;
  readonly membership: Membership;
  readonly state: GroupState;
  /** The group's timeline (null while we are neither member nor invited). */
  readonly conversationId: string | null;
}

export interface GroupsOptions {
  readonly store: GroupStore;
  readonly messages: MessageStore;
  readonly credentials: GroupCredentials;
  readonly server: GroupServer;
  /** The client's write queue (MessagingClient.runExclusive). */
  readonly exclusive: <T>(write: () => T) => Promise<T>;
  readonly us: { readonly aci: string; readonly pni: string | undefined };
  readonly clock: () => number;
}

export class Groups {
  constructor(private readonly options: GroupsOptions) {}

  /** What the vault holds of a group (undefined when unknown or not fetched yet). */
  get(groupId: string): KnownGroup | undefined {
    const stored = this.options.store.get(groupId);
    if (!stored?.state) return undefined;
    const { state, conversationId } = stored;
    return { id: groupId, membership: membershipOf(state, this.options.us), state, conversationId };
  }

  /** Fetch, decrypt and store the group of this master key; returns what we now know of it. */
  async refresh(masterKey: Uint8Array): Promise<KnownGroup> {
    const { credentials, server } = this.options;
    const secretParams = secretParamsOf(masterKey);
    const auth = {
      publicParams: secretParams.getPublicParams().serialize(),
      presentation: await credentials.authPresentation(secretParams),
    };
    const state = decryptGroupState(secretParams, await server.fetch(auth));
    return this.options.exclusive(() => this.save(groupIdOf(secretParams), masterKey, state));
  }

  /** Refresh a group we already know by id (e.g. one we were told of by a message). */
  async refreshById(groupId: string): Promise<KnownGroup> {
    const stored = this.options.store.get(groupId);
    if (!stored) throw new PreconditionError('This group is not known here.');
    return this.refresh(stored.masterKey);
  }

  /**
   * Accept an invitation: present our profile key credential to promote ourselves from invited to member
   * (an invitation to our PNI is accepted with our ACI, as Signal does), then fetch the resulting state.
   */
  async acceptInvitation(groupId: string): Promise<KnownGroup> {
    const { credentials, server, store, us } = this.options;
    const current = await this.refreshById(groupId);
    if (current.membership === 'member') return current;
    const invited = current.state.pending.find((p) => p.serviceId === us.aci || p.serviceId === us.pni);
    if (!invited) throw new PreconditionError('There is no invitation to this account in this group.');
    const stored = store.get(groupId);
    if (!stored) throw new PreconditionError('This group is not known here.');
    const secretParams = secretParamsOf(stored.masterKey);
    const auth = {
      publicParams: secretParams.getPublicParams().serialize(),
      presentation: await credentials.authPresentation(secretParams),
    };
    const promote = [{ presentation: await credentials.profileKeyPresentation(secretParams) }];
    await server.modify(auth, {
      version: current.state.revision + 1,
      ...(invited.serviceId === us.aci
        ? { promoteMembersPendingProfileKey: promote }
        : { promoteMembersPendingPniAciProfileKey: promote }),
    });
    log.info('groups.invitation_accepted', { to: invited.serviceId === us.aci ? 'aci' : 'pni' });
    return this.refresh(stored.masterKey);
  }

  /** Synchronous (write queue): store a decrypted state and keep the group's conversation in step. */
  private save(id: string, masterKey: Uint8Array, state: GroupState): KnownGroup {
    const { messages, store } = this.options;
    const membership = membershipOf(state, this.options.us);
    const existing = messages.findConversationByServiceId(groupConversationServiceId(id));
    let conversationId = existing?.id ?? null;
    if (membership !== 'none') {
      // An invitation is held like a message request until accepted (no receipts, nothing fetched).
      const conversation =
        existing ??
        messages.getOrCreateConversation(groupConversationServiceId(id), {
          isRequest: membership === 'invited',
          isContact: false,
        });
      messages.updateConversation(conversation.id, {
        profileName: state.title,
        expireTimerSeconds: state.timerSeconds,
        ...(membership === 'member' && conversation.isRequest
          ? { isRequest: false, acceptedAt: this.options.clock() }
          : {}),
      });
      conversationId = conversation.id;
    }
    if (!store.saveState(id, masterKey, state, conversationId)) {
      log.info('groups.state_ignored', { reason: 'older-revision' });
      const newer = store.get(id)?.state ?? state;
      return { id, membership: membershipOf(newer, this.options.us), state: newer, conversationId };
    }
    return { id, membership, state, conversationId };
  }
}

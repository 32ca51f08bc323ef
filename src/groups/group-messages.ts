/**
 * Which conversation a DataMessage with a group context (`groupV2`) lands in, decided inside the receiver's
 * transaction (synchronous); the receiver then runs the same data path as for a 1:1 message (quotes,
 * reactions, deletes, edits, attachments, previews, view-once) with the group's conversation as its target.
 * - A group we do not know yet (an invitation, or a group change telling us of it) is remembered with its
 *   master key and its state fetched after the commit (`onGroupChanged`), as is a known group whose context
 *   carries a newer revision than ours. A message for a group whose state we do not hold yet is refused: the
 *   first thing a group sends us is the change that added us, which carries nothing to show.
 * - A message is accepted only when we are a member and its sender is one (by the state we hold); anything
 *   else is refused and logged without content. While we are only invited nothing is shown (as Signal: the
 *   members do not send to invitees). A blocked group's messages are dropped.
 * - A group that is a message request (an invitation, or one a stranger added us to: ../groups.ts) holds
 *   its messages like a 1:1 request: stored, but no receipts, no downloads until accepted.
 */
import { errorFields, log } from '../log.js';
import { isAcquainted, type MessageTarget, type ReceiveOutcome } from '../messaging/receiver.js';
import type { MessageStore } from '../messaging/store.js';
import { membershipOf } from './group-state.js';
import { groupIdOf, secretParamsOf, type GroupStore } from './group-store.js';
import { decodeGroupContext } from './proto.js';

export interface GroupContextMessage {
  /** Signal's GroupContextV2 of the DataMessage (or of the edited one), still encoded. */
  readonly context: Uint8Array;
  readonly sourceServiceId: string;
  /** The message shows or changes something; without, it only tells of a group change (fetched). */
  readonly hasContent: boolean;
}

export interface GroupMessagesOptions {
  readonly groups: GroupStore;
  readonly messages: MessageStore;
  readonly us: { readonly aci: string; readonly pni: string | undefined };
  /** A group to (re)fetch; called after the transaction that learnt of it (it may fetch over the network). */
  readonly onGroupChanged: (groupId: string) => void;
}

/**
 * A group we are a member of arrives as a message request when whoever told us of it (the sender of the first
 * group context we saw: the change that added us) is a stranger or blocked — Signal's rule for being added
 * by someone we have no chat with. A group we fetched ourselves (created, or asked for) is not one.
 */
export function addedByStranger(toldBy: string | null, messages: MessageStore): boolean {
  return toldBy !== null && !isAcquainted(messages.findConversationByServiceId(toldBy));
}

type Refused = Extract<ReceiveOutcome, 'dropped' | 'ignored'>;

function refused(reason: string): 'dropped' {
  log.info('groups.receive.refused', { reason });
  return 'dropped';
}

export class GroupMessages {
  constructor(private readonly options: GroupMessagesOptions) {}

  /** The group's conversation for this message, or 'dropped' (refused) / 'ignored' (nothing to store). */
  target(message: GroupContextMessage): MessageTarget | Refused {
    const { groups, messages } = this.options;
    let groupId: string;
    let masterKey: Uint8Array;
    let revision: number;
    try {
      const context = decodeGroupContext(message.context);
      masterKey = context.masterKey ?? new Uint8Array();
      revision = context.revision ?? 0;
      groupId = groupIdOf(secretParamsOf(masterKey));
    } catch (error) {
      log.warn('groups.receive.bad_context', errorFields(error));
      return 'ignored';
    }
    const stored = groups.get(groupId);
    if (!stored) groups.remember(groupId, masterKey, message.sourceServiceId);
    if (!stored?.state || revision > stored.state.revision) this.fetchLater(groupId);
    if (!message.hasContent) return 'ignored'; // a group change alone: the fetch brings the new state
    const state = stored?.state;
    const conversation = stored?.conversationId ? messages.getConversation(stored.conversationId) : undefined;
    if (!state || !conversation) return refused('unknown-group');
    if (membershipOf(state, this.options.us) !== 'member') return refused('not-a-member');
    const members = new Set(state.members.map((m) => m.aci));
    if (!members.has(message.sourceServiceId)) return refused('sender-not-a-member');
    if (conversation.blocked) return refused('blocked-group');
    return {
      conversation,
      includes: (serviceId: string) => members.has(serviceId),
      held: conversation.isRequest,
    };
  }

  /**
   * A member's identity key changed (inside the receiver's transaction): every group conversation they are a
   * member of shows it, naming them, as their 1:1 chat does.
   */
  identityChanged(serviceId: string, wasVerified: boolean): void {
    const { groups, messages } = this.options;
    for (const conversationId of groups.conversationsWithMember(serviceId)) {
      messages.addEvent(conversationId, 'identity-changed', { wasVerified, serviceId });
    }
  }

  /** After the current (synchronous) transaction: the hook may go to the network. */
  private fetchLater(groupId: string): void {
    setImmediate(() => this.options.onGroupChanged(groupId));
  }
}

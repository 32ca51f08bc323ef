/**
 * Received DataMessages with a group context (`groupV2`), inside the receiver's transaction (synchronous):
 * - a group we do not know yet (an invitation, or a group change telling us of it) is remembered with its
 *   master key and its state fetched after the commit (`onGroupChanged`), as is a known group whose
 *   context carries a newer revision than ours;
 * - a message is stored in the group's conversation only when we are a member and its sender is one (by
 *   the state we hold): anything else is refused and logged without content.
 * Text only for now (attachments, quotes, reactions in groups come later); the body is bounded like 1:1.
 */
import { errorFields, log } from '../log.js';
import { boundBody } from '../messaging/limits.js';
import type { ReceiptRequest, ReceiveOutcome } from '../messaging/receiver.js';
import type { MessageStore } from '../messaging/store.js';
import type { DataMessage } from '../signal/proto/signal-service.js';
import { membershipOf } from './group-state.js';
import { groupIdOf, secretParamsOf, type GroupStore } from './group-store.js';
import { decodeGroupContext } from './proto.js';

export interface GroupDataMessage {
  readonly data: DataMessage;
  /** `data.groupV2`: Signal's GroupContextV2, still encoded. */
  readonly context: Uint8Array;
  readonly sourceServiceId: string;
  readonly sourceDevice: number;
  readonly sentAt: number;
  readonly serverGuid: string | undefined;
}

export interface GroupMessagesOptions {
  readonly groups: GroupStore;
  readonly messages: MessageStore;
  readonly us: { readonly aci: string; readonly pni: string | undefined };
  /** A group to (re)fetch; called after the transaction that learnt of it (it may fetch over the network). */
  readonly onGroupChanged: (groupId: string) => void;
}

export class GroupMessages {
  constructor(private readonly options: GroupMessagesOptions) {}

  apply(message: GroupDataMessage): { outcome: ReceiveOutcome; receipts: ReceiptRequest[] } {
    const ignored = { outcome: 'ignored' as const, receipts: [] };
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
      return ignored;
    }
    const stored = groups.get(groupId);
    if (!stored) groups.remember(groupId, masterKey, message.sourceServiceId);
    if (!stored?.state || revision > stored.state.revision) this.fetchLater(groupId);
    const state = stored?.state;
    const body = message.data.body ? boundBody(message.data.body) : undefined;
    if (!body) return ignored; // a group change alone: the fetch brings the new state
    if (!state || !stored.conversationId) {
      log.info('groups.receive.refused', { reason: 'unknown-group' });
      return { outcome: 'dropped', receipts: [] };
    }
    if (membershipOf(state, this.options.us) !== 'member') {
      log.info('groups.receive.refused', { reason: 'not-a-member' });
      return { outcome: 'dropped', receipts: [] };
    }
    if (!state.members.some((m) => m.aci === message.sourceServiceId)) {
      log.info('groups.receive.refused', { reason: 'sender-not-a-member' });
      return { outcome: 'dropped', receipts: [] };
    }
    const { sourceServiceId, sourceDevice, sentAt } = message;
    if (messages.hasIncoming(sourceServiceId, sourceDevice, sentAt))
      return { outcome: 'duplicate', receipts: [] };
    const { inserted } = messages.insertIncoming({
      conversationId: stored.conversationId,
      sourceServiceId,
      sourceDevice,
      sentAt,
      serverGuid: message.serverGuid ?? null,
      body,
      expireTimerSeconds: messages.getConversation(stored.conversationId)?.expireTimerSeconds ?? null,
    });
    if (!inserted) return { outcome: 'duplicate', receipts: [] };
    return {
      outcome: 'stored',
      receipts: [
        {
          conversationId: stored.conversationId,
          serviceId: sourceServiceId,
          kind: 'delivery',
          timestamps: [sentAt],
        },
      ],
    };
  }

  /** After the current (synchronous) transaction: the hook may go to the network. */
  private fetchLater(groupId: string): void {
    setImmediate(() => this.options.onGroupChanged(groupId));
  }
}

/**
 * Groups as the contract shows them: a group with its members (names as this device shows them, their
 * 1:1 chat for the safety number, an unconfirmed identity change), a group conversation's summary for the
 * list, and a `group-change` event's structured data with names. Pure functions over what the vault holds;
 * `nameOf` is the session's (a contact's chat title, "You" for us).
 */
import type {
  Group as ApiGroup,
  GroupChange as ApiGroupChange,
  Conversation as ApiConversation,
} from '../contract.js';
import type { GroupChangeRecord } from '../../groups/group-changes.js';
import { mayChange, membershipOf, type GroupState } from '../../groups/group-state.js';
import type { Conversation, Message } from '../../messaging/store.js';

export interface Us {
  readonly aci: string;
  readonly pni: string | undefined;
}

export type NameOf = (serviceId: string) => string;

type Membership = ApiGroup['membership'];

function membershipIn(state: GroupState, us: Us): Membership {
  const membership = membershipOf(state, us);
  return membership === 'none' ? 'left' : membership;
}

export function toApiGroup(
  conversationId: string,
  state: GroupState,
  us: Us,
  nameOf: NameOf,
  chatOf: (serviceId: string) => Conversation | undefined,
): ApiGroup {
  const person = (
    serviceId: string,
    role: 'member' | 'administrator',
    memberState: 'member' | 'invited' | 'requesting',
  ) => {
    const isUs = serviceId === us.aci || serviceId === us.pni;
    const chat = isUs ? undefined : chatOf(serviceId);
    return {
      serviceId,
      name: nameOf(serviceId),
      role,
      state: memberState,
      isUs,
      conversationId: chat?.id ?? null,
      identityChanged: chat?.safetyNumberChanged ?? false,
    };
  };
  const membership = membershipIn(state, us);
  const inviter =
    membership === 'invited'
      ? state.pending.find((p) => p.serviceId === us.aci || p.serviceId === us.pni)?.addedBy
      : undefined;
  return {
    conversationId,
    title: state.title,
    description: state.description,
    membership,
    revision: state.revision,
    timerSeconds: state.timerSeconds,
    canEditAttributes: mayChange(state, us, 'attributes'),
    canAddMembers: mayChange(state, us, 'members'),
    members: [
      ...state.members.map((m) => person(m.aci, m.role, 'member')),
      ...state.pending.map((p) => person(p.serviceId, p.role, 'invited')),
      ...state.requesting.map((r) => person(r.aci, 'member', 'requesting')),
    ],
    invitedBy: inviter ? { serviceId: inviter, name: nameOf(inviter) } : null,
  };
}

/** ConversationSchema.group for a group conversation's stored state. */
export function toConversationGroup(
  state: GroupState,
  us: Us,
  lastAuthor?: NonNullable<ApiConversation['group']>['lastAuthor'],
): NonNullable<ApiConversation['group']> {
  return {
    memberCount: state.members.length,
    membership: membershipIn(state, us),
    ...(lastAuthor ? { lastAuthor } : {}),
  };
}

/** A `group-change` event's data, with names; null for any other message or unreadable data. */
export function toApiGroupChange(message: Message, nameOf: NameOf): ApiGroupChange | null {
  if (message.eventType !== 'group-change' || message.eventData === null) return null;
  // Written by src/groups/group-sync.ts in this vault (not input from elsewhere).
  const record = message.eventData as Partial<GroupChangeRecord>;
  if (!record.changes) return null;
  const named = (serviceId: string) => ({ serviceId, name: nameOf(serviceId) });
  return {
    actor: typeof record.actor === 'string' ? named(record.actor) : null,
    changes: record.changes.map((item) => ({
      kind: item.kind,
      ...(item.subject !== undefined ? { subject: named(item.subject) } : {}),
      ...(item.text !== undefined ? { text: item.text } : {}),
      ...(item.timerSeconds !== undefined ? { timerSeconds: item.timerSeconds } : {}),
    })),
  };
}

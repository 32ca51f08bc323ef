/**
 * The groups API as the UI uses it (issue 15): `groups.*`, `messages.recipients`, and the group fields of
 * conversations and messages. The shapes are the contract's (helpers GB/GC/GA are adding them); until each
 * lands, this module reads them through these declarations so the screens compile and simply show nothing
 * group-specific (the service strips fields the contract does not name).
 */
import type { ApiResult, Conversation, Message } from '../../../src/api/contract.js';
import { getApi } from '../../bridge.js';

export interface Person {
  serviceId: string;
  name: string;
}

export type Membership = 'member' | 'invited' | 'left';

export interface GroupMember extends Person {
  role: 'member' | 'administrator';
  state: 'member' | 'invited' | 'requesting';
  isUs: boolean;
  /** Their 1:1 chat (for the safety number), when we have one. */
  conversationId: string | null;
  identityChanged: boolean;
}

export interface Group {
  conversationId: string;
  title: string;
  description: string | null;
  membership: Membership;
  revision: number;
  timerSeconds: number | null;
  canEditAttributes: boolean;
  canAddMembers: boolean;
  members: GroupMember[];
  invitedBy: Person | null;
}

export type GroupChangeKind =
  | 'created'
  | 'added'
  | 'invited'
  | 'joined'
  | 'left'
  | 'removed'
  | 'declined'
  | 'title'
  | 'timer'
  | 'role'
  | 'description'
  | 'access';

export interface GroupChangeItem {
  kind: GroupChangeKind;
  subject?: Person;
  text?: string;
  timerSeconds?: number | null;
}

export interface GroupChange {
  actor: Person | null;
  changes: GroupChangeItem[];
}

export interface ConversationGroup {
  memberCount: number;
  membership: Membership;
  /** Who wrote the last message (the list's "Alice: …"); asked of the contract's owner, absent until then. */
  lastAuthor?: { name: string; isYou: boolean } | null;
}

export interface Recipient {
  serviceId: string;
  name: string;
  status: string;
}

interface GroupsApi {
  create(input: {
    title: string;
    memberConversationIds: string[];
    timerSeconds?: number | null;
  }): Promise<ApiResult<Group>>;
  get(input: { conversationId: string }): Promise<ApiResult<Group>>;
  invite(input: { conversationId: string; memberConversationIds: string[] }): Promise<ApiResult<Group>>;
  acceptInvitation(input: { conversationId: string }): Promise<ApiResult<Group>>;
  declineInvitation(input: { conversationId: string }): Promise<ApiResult<{ ok: true }>>;
  leave(input: { conversationId: string }): Promise<ApiResult<Group>>;
  setTitle(input: { conversationId: string; title: string }): Promise<ApiResult<Group>>;
}

interface GroupAwareApi {
  groups: GroupsApi;
  messages: { recipients(input: { messageId: string }): Promise<ApiResult<Recipient[]>> };
}

export function groupsApi(): GroupsApi {
  return (getApi() as unknown as GroupAwareApi).groups;
}

export function messageRecipients(messageId: string): Promise<ApiResult<Recipient[]>> {
  return (getApi() as unknown as GroupAwareApi).messages.recipients({ messageId });
}

/** The conversation's group facts; null for a 1:1 chat. */
export function groupOf(conversation: Conversation): ConversationGroup | null {
  return (conversation as Conversation & { group?: ConversationGroup | null }).group ?? null;
}

/** Who wrote an incoming group message; null in a 1:1 chat and for our own messages. */
export function authorOf(message: Message): Person | null {
  return (message as Message & { author?: Person | null }).author ?? null;
}

/** The structured group change of an event row; null otherwise. */
export function groupChangeOf(message: Message): GroupChange | null {
  return (message as Message & { groupChange?: GroupChange | null }).groupChange ?? null;
}

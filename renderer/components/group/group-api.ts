/**
 * The groups part of the contract as the UI names it (issue 15): the group, its members and changes, a
 * message's author, and the two small readers the screens share.
 */
import type { Conversation, Group, GroupChange, Message } from '../../../src/api/contract.js';
import { getApi } from '../../bridge.js';

export type { Group, GroupChange };
export type GroupMember = Group['members'][number];
export type GroupChangeItem = GroupChange['changes'][number];
/** Someone named in a group: actor or subject of a change, a message's author. */
export type Person = NonNullable<GroupChange['actor']>;

export function groupsApi() {
  return getApi().groups;
}

/** The conversation's group facts; null for a 1:1 chat. */
export function groupOf(conversation: Conversation): Conversation['group'] {
  return conversation.group;
}

/** Who wrote an incoming group message; null in a 1:1 chat and for our own messages. */
export function authorOf(message: Message): Person | null {
  return message.author;
}

/** The structured group change of an event row; null otherwise. */
export function groupChangeOf(message: Message): GroupChange | null {
  return message.groupChange;
}

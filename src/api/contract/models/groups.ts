/**
 * Groups v2 in the contract (issue 15): a group as the UI shows it (members with roles, invitations,
 * what we may change), a group conversation's summary for the list, and a group change timeline event
 * as structured data (the UI words it; no text to parse). Platform-free zod only; re-exported from
 * ../models.ts and imports nothing from it (no cycle).
 */
import { z } from 'zod';
import { GROUP_CHANGE_KINDS, GROUP_TITLE_MAX_CHARS } from '../../../groups/group-rules.js';

// Signal's title limit, the same the core applies (the UI's counter).

export { GROUP_TITLE_MAX_CHARS };

const MembershipSchema = z.enum(['member', 'invited', 'left']);

/** Someone named in a group: their service id and the name this device shows for them ("You" for us). */
const GroupPersonSchema = z.object({ serviceId: z.string(), name: z.string() });

const GroupMemberSchema = z.object({
  serviceId: z.string(),
  name: z.string(),
  role: z.enum(['member', 'administrator']),
  /** invited: not accepted yet; requesting: asked to join through a link. */
  state: z.enum(['member', 'invited', 'requesting']),
  isUs: z.boolean(),
  /** Their 1:1 conversation (for the safety number), null when we have none. */
  conversationId: z.string().nullable(),
  /** Their safety number changed and is not confirmed (as a 1:1 chat marks it). */
  identityChanged: z.boolean(),
});

export const GroupSchema = z.object({
  conversationId: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  membership: MembershipSchema,
  revision: z.number().int().nonnegative(),
  timerSeconds: z.number().int().positive().nullable(),
  /** We may change the title, description and timer (the group's access rule and our role). */
  canEditAttributes: z.boolean(),
  /** We may invite members. */
  canAddMembers: z.boolean(),
  members: z.array(GroupMemberSchema),
  /** Who invited us, while `membership` is invited. */
  invitedBy: GroupPersonSchema.nullable(),
});
export type Group = z.infer<typeof GroupSchema>;

/** ConversationSchema.group: set for group conversations. */
export const ConversationGroupSchema = z.object({
  memberCount: z.number().int().nonnegative(),
  membership: MembershipSchema,
  /** Who wrote the last message (the list's "Alice: …" prefix); absent when it is an event or there is none. */
  lastAuthor: z.object({ name: z.string(), isYou: z.boolean() }).optional(),
});

/**
 * One line of a group change: `subject` is whom it is about (added, invited, joined, left, removed,
 * declined, role); `text` is the new title or description, the new role ('member' | 'administrator'), or
 * which access rule changed ('attributes' | 'members' | 'addFromInviteLink'); `timerSeconds` the new
 * timer (null: off).
 */
const GroupChangeItemSchema = z.object({
  kind: z.enum(GROUP_CHANGE_KINDS),
  subject: GroupPersonSchema.optional(),
  text: z.string().optional(),
  timerSeconds: z.number().int().positive().nullable().optional(),
});

/** MessageSchema.groupChange: set on `group-change` events. `actor` null: the server did not say who. */
export const GroupChangeSchema = z.object({
  actor: GroupPersonSchema.nullable(),
  changes: z.array(GroupChangeItemSchema),
});
export type GroupChange = z.infer<typeof GroupChangeSchema>;

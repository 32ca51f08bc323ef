/**
 * Commands for groups v2 (issue 15): create, look at, invite to, accept or decline an invitation, leave,
 * rename. A group is addressed by its conversation's id. Sending, replies, reactions and the timer use the
 * ordinary message and conversation commands with that id (`conversation.setDisappearingTimer` changes a
 * group's timer for every member). Errors: NOT_FOUND for an unknown group, PRECONDITION when we are not
 * a member or may not make the change, INVALID_INPUT for an empty or too long title.
 */
import { z } from 'zod';
import { DISAPPEARING_TIMER_SECONDS } from '../../../settings/schema.js';
import { Id } from '../models.js';
import { GroupSchema, GROUP_TITLE_MAX_CHARS } from '../models/groups.js';
import { command } from './command.js';

/** The conversation of the group. */
const GroupRef = z.strictObject({ conversationId: Id });
/** Contacts by their 1:1 conversation; at most Signal's group size. */
const MemberConversationIds = z.array(Id).max(1_000);
/** Checked again by the core (characters, not UTF-16 units); the bound here only refuses junk early. */
const Title = z.string().max(GROUP_TITLE_MAX_CHARS * 4);

export const GROUPS_COMMANDS = {
  /**
   * A new group with us as administrator: contacts whose profile key we hold join at once, the others
   * are invited. Its conversation opens with a "You created the group" event. Needs the connection.
   */
  'groups.create': command(
    z.strictObject({
      title: Title,
      memberConversationIds: MemberConversationIds,
      timerSeconds: z.literal(DISAPPEARING_TIMER_SECONDS).nullable().optional(),
    }),
    GroupSchema,
  ),
  'groups.get': command(GroupRef, GroupSchema),
  /** Invite contacts (they accept on their device); those already in the group are skipped. */
  'groups.invite': command(
    z.strictObject({ conversationId: Id, memberConversationIds: MemberConversationIds }),
    GroupSchema,
  ),
  'groups.acceptInvitation': command(GroupRef, GroupSchema),
  /** Decline: our invitation is deleted on the server, and the group's conversation here. */
  'groups.declineInvitation': command(GroupRef, z.object({ ok: z.literal(true) })),
  /** Leave: we stop receiving and sending; the history stays and says we left. */
  'groups.leave': command(GroupRef, GroupSchema),
  'groups.setTitle': command(z.strictObject({ conversationId: Id, title: Title }), GroupSchema),
} as const;

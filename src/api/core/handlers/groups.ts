/** Groups v2: create, show, invite, accept or decline an invitation, leave, rename (src/groups). */
import { NotFoundError, ValidationError } from '../../../errors.js';
import { groupIdOfConversation, isAci } from '../../../groups/group-store.js';
import type { Group as ApiGroup } from '../../contract.js';
import type { CoreContext, Handlers } from '../context.js';
import { toApiGroup } from '../group-view.js';
import type { Session } from '../session.js';

/** The group id of a group conversation (NOT_FOUND for an unknown conversation or a 1:1 chat). */
function groupIdOf(s: Session, conversationId: string): string {
  const groupId = groupIdOfConversation(s.messages.getConversation(conversationId)?.serviceId ?? '');
  if (groupId === undefined) throw new NotFoundError('There is no such group.');
  return groupId;
}

/** The ACIs of contacts given by their 1:1 conversations (INVALID_INPUT for anything else). */
function memberAcis(s: Session, conversationIds: readonly string[]): string[] {
  return conversationIds.map((id) => {
    const serviceId = s.conversation(id).serviceId;
    if (!isAci(serviceId)) throw new ValidationError('Only contacts can be added to a group.');
    return serviceId;
  });
}

/** The group as the contract shows it, from what the vault now holds. */
function view(s: Session, groupId: string): ApiGroup {
  const stored = s.groups.get(groupId);
  const account = s.account;
  if (!stored?.state || !stored.conversationId || !account)
    throw new NotFoundError('There is no such group.');
  return toApiGroup(
    stored.conversationId,
    stored.state,
    account,
    (serviceId) => s.nameOf(serviceId),
    (serviceId) => s.messages.findConversationByServiceId(serviceId),
  );
}

export function groupHandlers(ctx: CoreContext) {
  return {
    'groups.create': async ({ title, memberConversationIds, timerSeconds }) => {
      const s = ctx.session();
      const members = memberAcis(s, memberConversationIds);
      const created = await s
        .needClient()
        .groups.create({ title, members, timerSeconds: timerSeconds ?? null });
      return view(s, created.id);
    },
    'groups.get': ({ conversationId }) => {
      const s = ctx.session();
      return Promise.resolve(view(s, groupIdOf(s, conversationId)));
    },
    'groups.invite': async ({ conversationId, memberConversationIds }) => {
      const s = ctx.session();
      const groupId = groupIdOf(s, conversationId);
      await s.needClient().groups.invite(groupId, memberAcis(s, memberConversationIds));
      return view(s, groupId);
    },
    'groups.acceptInvitation': async ({ conversationId }) => {
      const s = ctx.session();
      const groupId = groupIdOf(s, conversationId);
      await s.needClient().groups.acceptInvitation(groupId);
      return view(s, groupId);
    },
    'groups.declineInvitation': async ({ conversationId }) => {
      const s = ctx.session();
      await s.needClient().groups.declineInvitation(groupIdOf(s, conversationId));
      return { ok: true as const };
    },
    'groups.leave': async ({ conversationId }) => {
      const s = ctx.session();
      const groupId = groupIdOf(s, conversationId);
      await s.needClient().groups.leave(groupId);
      return view(s, groupId);
    },
    'groups.setTitle': async ({ conversationId, title }) => {
      const s = ctx.session();
      const groupId = groupIdOf(s, conversationId);
      await s.needClient().groups.setTitle(groupId, title);
      return view(s, groupId);
    },
  } satisfies Partial<Handlers>;
}

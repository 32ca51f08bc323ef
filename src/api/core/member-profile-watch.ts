/**
 * Group members' names while the client runs: when a group's stored state has a new revision (its
 * conversation is updated after every stored state), the members' profile keys are kept and the names due
 * fetched (src/groups/member-profiles.ts). A revision is looked at once per run, so a group's busy timeline
 * costs nothing here.
 */
import type { GroupStore } from '../../groups/group-store.js';
import { groupIdOfConversation } from '../../groups/group-store.js';
import type { MemberProfiles } from '../../groups/member-profiles.js';
import type { MessagingClient } from '../../messaging/client.js';
import { errorFields, log } from '../../log.js';

export function watchMemberProfiles(
  client: MessagingClient,
  profiles: MemberProfiles,
  groups: GroupStore,
  us: string,
  clock: () => number,
): Array<() => void> {
  profiles.attach({
    request: client.accountRequest,
    anonymousRequest: client.anonymousRequest,
    exclusive: (write) => client.runExclusive(write),
    clock,
  });
  const seen = new Map<string, number>();
  const stop = client.on('conversation.updated', (conversation) => {
    const groupId = groupIdOfConversation(conversation.serviceId);
    if (groupId === undefined) return;
    const state = groups.get(groupId)?.state;
    if (!state || seen.get(groupId) === state.revision) return;
    seen.set(groupId, state.revision);
    client
      .runExclusive(() => profiles.learn(state.members, us))
      .catch((error: unknown) => log.warn('groups.member_profiles_failed', errorFields(error)));
  });
  return [stop, () => profiles.attach(undefined)];
}

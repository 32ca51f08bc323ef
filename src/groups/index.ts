/**
 * Groups v2 (issue 15), assembled for one messaging client: the vault store, the group service client on
 * the client's route, the credentials over its chat socket, the receiver's hook for group messages, and
 * the update (change log, else state) a message telling us of a group or a newer revision starts after
 * its commit.
 */
import { errorFields, log } from '../log.js';
import type { ChatRequester } from '../messaging/delivery.js';
import type { MessageStore } from '../messaging/store.js';
import type { ClientConfig } from '../net/config.js';
import type { SocketOpener } from '../net/socket-opener.js';
import type { SqlDatabase } from '../vault/sql.js';
import { GroupCredentials } from './credentials.js';
import { GroupMessages } from './group-messages.js';
import { GroupServer } from './group-server.js';
import { GroupStore } from './group-store.js';
import { Groups, type GroupsOptions } from './groups.js';

export type { Groups } from './groups.js';

export interface GroupsDeps extends Pick<
  GroupsOptions,
  'exclusive' | 'clock' | 'announce' | 'removeConversation'
> {
  readonly db: SqlDatabase;
  readonly messages: MessageStore;
  readonly config: ClientConfig;
  readonly openSocket: SocketOpener;
  /** The authenticated chat socket (credentials). */
  readonly request: ChatRequester;
  readonly us: { readonly aci: string; readonly pni: string | undefined };
  readonly profileKey: () => Uint8Array | null;
}

export interface GroupsPart {
  readonly groups: Groups;
  /** For the Receiver's `groups` option. */
  readonly received: GroupMessages;
  /** Shared with the group sender (src/groups/send): one credential cache, one group service connection. */
  readonly credentials: GroupCredentials;
  readonly server: GroupServer;
  close(): void;
}

export function createGroups(deps: GroupsDeps): GroupsPart {
  const store = new GroupStore(deps.db, deps.clock);
  const server = new GroupServer(deps.config, deps.openSocket);
  const credentials = new GroupCredentials({
    request: deps.request,
    serverPublicParams: deps.config.serverPublicParams,
    aci: deps.us.aci,
    pni: deps.us.pni,
    profileKey: deps.profileKey,
    clock: deps.clock,
  });
  const groups = new Groups({
    store,
    messages: deps.messages,
    credentials,
    server,
    exclusive: deps.exclusive,
    us: deps.us,
    clock: deps.clock,
    announce: deps.announce,
    removeConversation: deps.removeConversation,
  });
  const refreshing = new Set<string>();
  const received = new GroupMessages({
    groups: store,
    messages: deps.messages,
    us: deps.us,
    onGroupChanged: (groupId) => {
      // One fetch per group at a time: a burst of messages with a newer revision costs one.
      if (refreshing.has(groupId)) return;
      refreshing.add(groupId);
      groups
        .update(groupId)
        .catch((error: unknown) => log.warn('groups.refresh_failed', errorFields(error)))
        .finally(() => refreshing.delete(groupId));
    },
  });
  return { groups, received, credentials, server, close: () => server.close() };
}

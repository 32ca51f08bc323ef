/**
 * Sending to groups (issue 15), assembled for one messaging client: the group sender Delivery hands group
 * conversations to, the per-member delivery state (for the receiver's receipts and `messages.recipients`),
 * and the unauthenticated gRPC channel it owns for multi-recipient sends, on the client's route (direct,
 * SOCKS5, Tor) like the group service client it shares with createGroups — never libsignal's Net.
 */
import type { SerialQueue } from '../../async/serial-queue.js';
import type { MessageStore } from '../../messaging/store.js';
import type { ClientConfig } from '../../net/config.js';
import { GrpcClient } from '../../net/grpc.js';
import type { SocketOpener } from '../../net/socket-opener.js';
import type { SignalProtocolStores } from '../../signal/stores/index.js';
import type { SqlDatabase } from '../../vault/sql.js';
import { GroupStore } from '../group-store.js';
import type { GroupsPart } from '../index.js';
import { GroupEndorsements } from './endorsements.js';
import { GroupSend } from './group-send.js';
import { MessageRecipients, type RecipientStatus } from './recipients.js';
import { GroupSendState } from './send-state.js';

export interface GroupSendDeps {
  readonly db: SqlDatabase;
  readonly messages: MessageStore;
  readonly stores: SignalProtocolStores;
  readonly config: ClientConfig;
  readonly openSocket: SocketOpener;
  /** The group service client and our group credentials (createGroups' own). */
  readonly groups: Pick<GroupsPart, 'credentials' | 'server'>;
  readonly us: { readonly aci: string; readonly deviceId: number };
  readonly lock: SerialQueue;
  readonly clock: () => number;
}

export interface GroupSendPart {
  readonly send: GroupSend;
  /** Each member's state of one of our group messages. */
  recipients(messageId: string): { serviceId: string; status: RecipientStatus }[];
  /** A member's receipt (inside the receiver's transaction): their rows and the message's status move on. */
  applyReceipt(
    fromServiceId: string,
    kind: 'delivery' | 'read' | 'viewed',
    timestamps: readonly number[],
  ): void;
  close(): void;
}

export function createGroupSend(deps: GroupSendDeps): GroupSendPart {
  const state = new GroupSendState(deps.db);
  const recipients = new MessageRecipients(deps.db, deps.clock);
  const grpc = new GrpcClient({
    endpoint: deps.config.chat,
    trustRootsPem: deps.config.tlsTrustRootsPem,
    openSocket: deps.openSocket,
  });
  const endorsements = new GroupEndorsements({
    state,
    server: deps.groups.server,
    credentials: deps.groups.credentials,
    serverPublicParams: deps.config.serverPublicParams,
    aci: deps.us.aci,
    clock: deps.clock,
    exclusive: (write) => deps.lock.run(write),
  });
  const send = new GroupSend({
    groups: new GroupStore(deps.db, deps.clock),
    state,
    recipients,
    endorsements,
    stores: deps.stores,
    grpc,
    us: { aci: deps.us.aci, deviceId: deps.us.deviceId },
    lock: deps.lock,
  });
  return {
    send,
    recipients: (messageId) => recipients.list(messageId),
    applyReceipt(fromServiceId, kind, timestamps) {
      for (const { messageId, status } of recipients.applyReceipt(fromServiceId, kind, timestamps)) {
        deps.messages.setStatus(messageId, status);
      }
    },
    close() {
      grpc.close();
    },
  };
}

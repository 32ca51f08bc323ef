/**
 * The group service's REST routes (Signal's storage service, `/v2/groups`), over our own pinned TLS and
 * the client's route (direct, SOCKS5, Tor). Each request authenticates as "a member of this group": Basic
 * auth with the group's public params as the user name and a fresh auth credential presentation as the
 * password (both hex) — the server never learns our identity from it.
 *
 * Signal serves these at the root of storage.signal.org; @signalapp/mock-server serves them under
 * `/storageService` on its one host, so the demo configuration adds that prefix.
 */
import { NotFoundError, PreconditionError, ProtocolError, ServerError } from '../errors.js';
import type { ClientConfig } from '../net/config.js';
import { RestClient, type RestResponse } from '../net/rest.js';
import type { SocketOpener } from '../net/socket-opener.js';
import {
  decodeGroupChangeResponse,
  decodeGroupChanges,
  decodeGroupResponse,
  decodeGroupResponseWithEndorsements,
  encodeGroup,
  encodeGroupChangeActions,
  type GroupChangeActionsProto,
  type GroupChangeProto,
  type GroupChangeStateProto,
  type GroupProto,
} from './proto.js';

const PROTOBUF = 'application/x-protobuf';
/** A group answer far beyond 1,001 members' worth of ciphertexts is refused unread. */
const MAX_GROUP_RESPONSE_BYTES = 4 * 1024 * 1024;

/** Who asks: the group's public params and our auth presentation for it. */
export interface GroupAuth {
  readonly publicParams: Uint8Array;
  readonly presentation: Uint8Array;
}

/** 409: the group moved on since the revision our change was built on (catch up, then try again). */
export class GroupConflictError extends PreconditionError {}

function checked(response: RestResponse): Buffer {
  if (response.status === 200) return response.body;
  if (response.status === 404) throw new NotFoundError('The group does not exist on the server.');
  if (response.status === 403) throw new PreconditionError('We are not a member of this group.');
  if (response.status === 409) throw new GroupConflictError('The group changed meanwhile; try again.');
  throw new ServerError('The group service refused the request.', response.status);
}

export class GroupServer {
  private readonly rest: RestClient;
  private readonly prefix: string;

  constructor(config: ClientConfig, openSocket: SocketOpener) {
    this.rest = new RestClient({
      endpoint: config.storage,
      trustRootsPem: config.tlsTrustRootsPem,
      openSocket,
      maxResponseBytes: MAX_GROUP_RESPONSE_BYTES,
    });
    this.prefix = config.mode === 'demo' ? '/storageService' : '';
  }

  /** The group's current (encrypted) state. */
  async fetch(auth: GroupAuth): Promise<GroupProto> {
    const response = await this.rest.request({
      method: 'GET',
      path: `${this.prefix}/v2/groups`,
      headers: { accept: PROTOBUF },
      auth: this.basic(auth),
    });
    return decodeGroupResponse(checked(response));
  }

  /** Create a group (revision 0); answers its state as the server now holds it. */
  async create(auth: GroupAuth, group: GroupProto): Promise<GroupProto> {
    const response = await this.rest.request({
      method: 'PUT',
      path: `${this.prefix}/v2/groups`,
      body: encodeGroup(group),
      contentType: PROTOBUF,
      headers: { accept: PROTOBUF },
      auth: this.basic(auth),
    });
    return decodeGroupResponse(checked(response));
  }

  /**
   * The change log from `fromRevision` on, oldest first (members only). We keep no send endorsements
   * here, so `Cached-Send-Endorsements: 0` (the header is required) asks the server for fresh ones.
   */
  async logs(auth: GroupAuth, fromRevision: number): Promise<GroupChangeStateProto[]> {
    const response = await this.rest.request({
      method: 'GET',
      path: `${this.prefix}/v2/groups/logs/${fromRevision}`,
      headers: { accept: PROTOBUF, 'cached-send-endorsements': '0' },
      auth: this.basic(auth),
    });
    return decodeGroupChanges(checked(response));
  }

  /** The state with the group send endorsements the server issued us for it (src/groups/send). */
  async fetchWithEndorsements(
    auth: GroupAuth,
  ): Promise<ReturnType<typeof decodeGroupResponseWithEndorsements>> {
    const response = await this.rest.request({
      method: 'GET',
      path: `${this.prefix}/v2/groups`,
      headers: { accept: PROTOBUF },
      auth: this.basic(auth),
    });
    return decodeGroupResponseWithEndorsements(checked(response));
  }

  /** Apply one change (its `version` = current revision + 1); returns the server-signed change. */
  async modify(auth: GroupAuth, actions: GroupChangeActionsProto): Promise<GroupChangeProto> {
    const response = await this.rest.request({
      method: 'PATCH',
      path: `${this.prefix}/v2/groups`,
      body: encodeGroupChangeActions(actions),
      contentType: PROTOBUF,
      auth: this.basic(auth),
    });
    const change = decodeGroupChangeResponse(checked(response));
    if (!change.actions?.length) throw new ProtocolError('Group change without actions.');
    return change;
  }

  close(): void {
    this.rest.close();
  }

  private basic(auth: GroupAuth): { username: string; password: string } {
    return {
      username: Buffer.from(auth.publicParams).toString('hex'),
      password: Buffer.from(auth.presentation).toString('hex'),
    };
  }
}

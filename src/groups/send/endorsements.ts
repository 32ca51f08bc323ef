/**
 * Group send endorsements (zkgroup): with the group's state, the group service issues us one endorsement
 * per member, valid for a day or two. Combined for exactly the recipients of a send they become the
 * group send token (GroupSendFullToken) that authorises a multi-recipient sealed send without telling the
 * server who sends. Fetched with the group (`GET /v2/groups`), checked (`receiveWithServiceIds` verifies
 * the server's proof), kept in the vault and in memory, and fetched again when they are about to expire
 * or do not cover a recipient (the group changed since).
 */
import { Aci } from '@signalapp/libsignal-client';
import {
  GroupSendEndorsement,
  GroupSendEndorsementsResponse,
  ServerPublicParams,
  type GroupSecretParams,
} from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import { ProtocolError } from '../../errors.js';
import type { GroupCredentials } from '../credentials.js';
import type { GroupServer } from '../group-server.js';
import { decryptGroupState } from '../group-state.js';
import type { GroupSendState, StoredEndorsements } from './send-state.js';

/** Endorsements this close to their expiry are renewed before a send (a send takes seconds at most). */
const RENEW_BEFORE_MS = 60 * 60 * 1000;

interface Received {
  readonly expiresAt: number;
  readonly members: readonly string[];
  readonly endorsements: readonly GroupSendEndorsement[];
}

export interface GroupEndorsementsOptions {
  readonly state: GroupSendState;
  readonly server: GroupServer;
  readonly credentials: GroupCredentials;
  /** zkgroup ServerPublicParams, base64. */
  readonly serverPublicParams: string;
  readonly aci: string;
  readonly clock: () => number;
  /** The client's write queue. */
  readonly exclusive: <T>(write: () => T) => Promise<T>;
}

export class GroupEndorsements {
  readonly #received = new Map<string, Received>();
  readonly #params: ServerPublicParams;

  constructor(private readonly options: GroupEndorsementsOptions) {
    this.#params = new ServerPublicParams(Buffer.from(options.serverPublicParams, 'base64'));
  }

  /**
   * The full token for exactly `recipients` (member ACIs), or undefined when the server issues no
   * endorsements covering them (the caller then sends to each member on its own).
   */
  async token(
    groupId: string,
    secretParams: GroupSecretParams,
    recipients: readonly string[],
  ): Promise<Uint8Array | undefined> {
    let received = this.#usable(groupId, secretParams, recipients);
    if (!received) {
      await this.#fetch(groupId, secretParams);
      received = this.#usable(groupId, secretParams, recipients);
    }
    if (!received) return undefined;
    const index = new Map(received.members.map((aci, i) => [aci, i]));
    const chosen = recipients.map((aci) => received.endorsements[index.get(aci) ?? -1]);
    if (chosen.some((e) => e === undefined)) return undefined;
    const combined = GroupSendEndorsement.combine(chosen as GroupSendEndorsement[]);
    return combined.toFullToken(secretParams, new Date(received.expiresAt)).serialize();
  }

  /** The server refused a token made from them: fetch new ones next time. */
  async invalidate(groupId: string): Promise<void> {
    this.#received.delete(groupId);
    await this.options.exclusive(() => this.options.state.saveEndorsements(groupId, undefined));
  }

  #usable(
    groupId: string,
    secretParams: GroupSecretParams,
    recipients: readonly string[],
  ): Received | undefined {
    let received = this.#received.get(groupId);
    if (!received) {
      const stored = this.options.state.endorsements(groupId);
      if (stored) received = this.#receive(stored, secretParams);
      if (received) this.#received.set(groupId, received);
    }
    if (!received) return undefined;
    if (received.expiresAt - RENEW_BEFORE_MS <= this.options.clock()) return undefined;
    const covered = new Set(received.members);
    return recipients.every((aci) => covered.has(aci)) ? received : undefined;
  }

  /** Verify issued endorsements against the member list they were issued for; undefined if they fail. */
  #receive(stored: StoredEndorsements, secretParams: GroupSecretParams): Received | undefined {
    try {
      const response = new GroupSendEndorsementsResponse(Buffer.from(stored.response));
      const { endorsements } = response.receiveWithServiceIds(
        stored.members.map((aci) => Aci.parseFromServiceIdString(aci)),
        Aci.parseFromServiceIdString(this.options.aci),
        secretParams,
        this.#params,
        new Date(this.options.clock()),
      );
      return { expiresAt: stored.expiresAt, members: stored.members, endorsements };
    } catch {
      return undefined;
    }
  }

  async #fetch(groupId: string, secretParams: GroupSecretParams): Promise<void> {
    const { credentials, server, state } = this.options;
    const auth = {
      publicParams: secretParams.getPublicParams().serialize(),
      presentation: await credentials.authPresentation(secretParams),
    };
    const { group, endorsements } = await server.fetchWithEndorsements(auth);
    if (!endorsements) return;
    const members = decryptGroupState(secretParams, group).members.map((m) => m.aci);
    let expiresAt: number;
    try {
      expiresAt = new GroupSendEndorsementsResponse(Buffer.from(endorsements)).getExpiration().getTime();
    } catch (error) {
      throw new ProtocolError('The server sent malformed group send endorsements.', { cause: error });
    }
    const stored = { response: new Uint8Array(endorsements), members, expiresAt };
    const received = this.#receive(stored, secretParams);
    if (!received) throw new ProtocolError('The server sent group send endorsements that do not verify.');
    this.#received.set(groupId, received);
    await this.options.exclusive(() => state.saveEndorsements(groupId, stored));
  }
}

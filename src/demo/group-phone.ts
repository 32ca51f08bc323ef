/**
 * DEMO ONLY — a simulated phone in Signal groups v2, acting as a real phone does: it learns of a group from
 * a message's group context (the master key), reads the group's state from the group service, accepts an
 * invitation to its ACI with its own profile key credential, changes the disappearing timer, and sends to
 * the group with a sender key (its distribution message to each member first, then sealed sender-key
 * messages). The mock's PrimaryDevice has group creation and invitations but none of these.
 */
import { SenderKeyDistributionMessage, type SenderKeyStore } from '@signalapp/libsignal-client';
import { GroupMasterKey, GroupSecretParams } from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import {
  EMPTY_DATA_MESSAGE,
  EMPTY_GROUP_ACTIONS,
  Group,
  Proto,
  ServiceIdKind,
  type Device,
  type EncryptOptions,
  type PrimaryDevice,
} from '@signalapp/mock-server';
import { randomUUID } from 'node:crypto';
import { NotFoundError, PreconditionError } from '../errors.js';
import type { DemoServer } from './extensions/demo-server.js';

type DataMessage = Proto.DataMessage.Params;
type GroupActions = Proto.GroupChange.Actions.Params;

/** The mock phone's internals this module needs (typed as private in the mock's declarations). */
interface PhoneInternals {
  readonly senderKeys: Map<ServiceIdKind, SenderKeyStore>;
  readonly sessions: { getSession(address: unknown): Promise<unknown> };
  getProfileKeyPresentation(params: unknown): Promise<{ serialize(): Uint8Array<ArrayBuffer> }>;
  encryptContent(target: Device, content: Proto.Content.Params, options: EncryptOptions): Promise<Buffer>;
}

const internals = (phone: PrimaryDevice): PhoneInternals => phone as unknown as PhoneInternals;

/** The mock's Group types its zkgroup params from declarations that do not resolve here. */
export function secretParamsOf(group: Group): GroupSecretParams {
  const params: unknown = group.secretParams;
  return params as GroupSecretParams;
}

/**
 * Builds a session from `phone` to `toAci` from one of the target's uploaded prekeys unless one exists (a
 * simulated phone does not fetch bundles). Returns the target device.
 */
export async function ensureSession(
  phone: PrimaryDevice,
  server: DemoServer,
  toAci: string,
): Promise<Device> {
  const target = await server.getDeviceByServiceId(toAci as never);
  if (!target) throw new NotFoundError('No such account on the demo network');
  if (!(await internals(phone).sessions.getSession(target.address))) {
    await phone.addSingleUseKey(target, await target.popSingleUseKey());
  }
  return target;
}

export type GroupMembership = 'member' | 'invited' | 'none';

export class GroupPhone {
  /** Per group id: our sender key's distribution id, and the members (ACI) that already have it. */
  readonly #distributions = new Map<string, { readonly id: string; readonly sentTo: Set<string> }>();

  constructor(
    readonly phone: PrimaryDevice,
    private readonly server: DemoServer,
  ) {}

  get aci(): string {
    return this.phone.device.aci;
  }

  /** The group of this master key as the group service holds it now (undefined: no such group). */
  async group(masterKey: Uint8Array): Promise<Group | undefined> {
    const secretParams = GroupSecretParams.deriveFromMasterKey(new GroupMasterKey(Buffer.from(masterKey)));
    return this.#current(secretParams);
  }

  membership(group: Group): GroupMembership {
    if (group.getMemberByServiceId(this.aci as never)) return 'member';
    return group.getPendingMemberByServiceId(this.aci as never) ? 'invited' : 'none';
  }

  /** The members' ACIs (not the invited). */
  members(group: Group): string[] {
    return (group.state.members ?? []).flatMap((m) => (m.userId ? [group.decryptServiceId(m.userId)] : []));
  }

  /** Accepts an invitation to our ACI: our profile key credential promotes us; the members are told. */
  async accept(group: Group): Promise<Group> {
    const presentation = await internals(this.phone).getProfileKeyPresentation(group.secretParams);
    return this.#modify(group, {
      promoteMembersPendingProfileKey: [
        { presentation: presentation.serialize(), userId: null, profileKey: null },
      ],
    });
  }

  /** Sets the group's disappearing timer (null: off), as any member may by default; the members are told. */
  setTimer(group: Group, seconds: number | null): Promise<Group> {
    return this.#modify(group, {
      modifyDisappearingMessageTimer: {
        timer: group.encryptBlob({ content: { disappearingMessagesDuration: seconds ?? 0 } }),
      },
    });
  }

  /**
   * Sends a DataMessage to every other member with our sender key (sealed sender-key messages, one per
   * member device as the server would fan out a multi-recipient message). Returns its timestamp.
   */
  async send(group: Group, fields: Partial<DataMessage>): Promise<number> {
    const timestamp = Date.now();
    const content: Proto.Content.Params = {
      content: {
        dataMessage: {
          ...EMPTY_DATA_MESSAGE,
          groupV2: group.toContext(),
          profileKey: (this.phone.profileKey as { serialize(): Uint8Array<ArrayBuffer> }).serialize(),
          timestamp: BigInt(timestamp),
          ...fields,
        },
      },
      pniSignatureMessage: null,
      senderKeyDistributionMessage: null,
    };
    const distribution = this.#distribution(group.id);
    await Promise.all(
      this.members(group)
        .filter((aci) => aci !== this.aci)
        .map(async (aci) => {
          const target = await ensureSession(this.phone, this.server, aci);
          if (!distribution.sentTo.has(aci)) {
            await this.#sendSenderKey(target, distribution.id);
            distribution.sentTo.add(aci);
          }
          const envelope = await internals(this.phone).encryptContent(target, content, {
            sealed: true,
            distributionId: distribution.id,
            group,
            timestamp,
          });
          await this.server.send(target, envelope as Buffer<ArrayBuffer>);
        }),
    );
    return timestamp;
  }

  async #sendSenderKey(target: Device, distributionId: string): Promise<void> {
    const store = internals(this.phone).senderKeys.get(ServiceIdKind.ACI);
    if (!store) throw new PreconditionError('The simulated phone has no sender key store.');
    // Keyed by the target's address, as the mock's own encrypt() looks the sender key up.
    const message = await SenderKeyDistributionMessage.create(target.address, distributionId, store);
    await this.phone.sendRaw(target, {
      content: null,
      pniSignatureMessage: null,
      senderKeyDistributionMessage: message.serialize(),
    });
  }

  #distribution(groupId: string): { readonly id: string; readonly sentTo: Set<string> } {
    let distribution = this.#distributions.get(groupId);
    if (!distribution) {
      distribution = { id: randomUUID(), sentTo: new Set() };
      this.#distributions.set(groupId, distribution);
    }
    return distribution;
  }

  async #current(secretParams: GroupSecretParams): Promise<Group | undefined> {
    const onServer = await this.server.getGroup(secretParams.getPublicParams().serialize());
    return onServer
      ? new Group({ secretParams: secretParams as never, groupState: onServer.state })
      : undefined;
  }

  /** One signed change on the group service, then the change sent to the members through the group. */
  async #modify(group: Group, actions: Partial<GroupActions>): Promise<Group> {
    const onServer = await this.server.getGroup(secretParamsOf(group).getPublicParams().serialize());
    if (!onServer) throw new NotFoundError('The group is not on the demo server.');
    const { pni } = this.phone.device;
    const result = await this.server.modifyGroup({
      group: onServer,
      actions: { ...EMPTY_GROUP_ACTIONS, ...actions, version: onServer.revision + 1 },
      aciCiphertext: group.encryptServiceId(this.aci as never),
      pniCiphertext: pni ? group.encryptServiceId(pni) : undefined,
    });
    if (result.conflict || !result.signedChange) {
      throw new PreconditionError('The group changed meanwhile; try again.');
    }
    const updated = (await this.#current(secretParamsOf(group))) ?? group;
    await this.send(updated, {
      groupV2: { ...updated.toContext(), groupChange: Proto.GroupChange.encode(result.signedChange) },
    });
    return updated;
  }
}

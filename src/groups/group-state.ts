/**
 * A group's state as the server keeps it (encrypted Groups.proto `Group`) → what this client knows and
 * stores: title, description, timer, access control, members with roles, invited (pending) and requesting
 * members, revision. Every field is decrypted with the group's secret params (libsignal zkgroup). Anything
 * that does not decrypt or does not make sense is a ProtocolError naming the field (never its content), and
 * the caller stores nothing.
 */
import { Aci } from '@signalapp/libsignal-client';
import {
  ClientZkGroupCipher,
  ProfileKeyCiphertext,
  UuidCiphertext,
  type GroupSecretParams,
} from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import { z } from 'zod';
import { ProtocolError } from '../errors.js';
import {
  AccessRequired,
  decodeAttributeBlob,
  MemberRole,
  type GroupProto,
  type MemberProto,
} from './proto.js';

/**
 * Bounded work per hostile answer: Signal's groups hold at most 1,001 members; more entries (members,
 * invited and requesting together) than this are refused before any decryption.
 */
const MAX_ENTRIES = 3_000;
/** Longer titles / descriptions than Signal's own clients allow by far are refused (bytes, UTF-8). */
const MAX_TITLE_BYTES = 1_024;
const MAX_DESCRIPTION_BYTES = 8_192;

const ACCESS = ['unknown', 'any', 'member', 'administrator', 'unsatisfiable'] as const;
const AccessSchema = z.enum(ACCESS);
export type AccessLevel = z.infer<typeof AccessSchema>;

const RoleSchema = z.enum(['member', 'administrator']);

/** The decrypted state, JSON-safe (profile keys base64), as stored in the vault. */
export const GroupStateSchema = z.object({
  revision: z.number().int().nonnegative(),
  title: z.string(),
  description: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  timerSeconds: z.number().int().positive().nullable(),
  access: z.object({ attributes: AccessSchema, members: AccessSchema, addFromInviteLink: AccessSchema }),
  members: z.array(
    z.object({
      aci: z.string(),
      role: RoleSchema,
      profileKey: z.string().nullable(),
      joinedAtRevision: z.number().int().nonnegative(),
    }),
  ),
  /** Invited, not yet accepted (Signal: pending profile key); an ACI or a PNI service id. */
  pending: z.array(
    z.object({
      serviceId: z.string(),
      role: RoleSchema,
      addedBy: z.string().nullable(),
      invitedAt: z.number().nullable(),
    }),
  ),
  /** Asked to join through a link, waiting for an administrator. */
  requesting: z.array(z.object({ aci: z.string(), requestedAt: z.number().nullable() })),
  announcementsOnly: z.boolean(),
  terminated: z.boolean(),
});
export type GroupState = z.infer<typeof GroupStateSchema>;

const malformed = (what: string, cause?: unknown): ProtocolError =>
  new ProtocolError(`Malformed group state: ${what}.`, cause === undefined ? undefined : { cause });

function role(value: MemberRole | undefined, what: string): 'member' | 'administrator' {
  if (value === MemberRole.DEFAULT) return 'member';
  if (value === MemberRole.ADMINISTRATOR) return 'administrator';
  throw malformed(`${what} role`);
}

function access(value: AccessRequired | undefined): AccessLevel {
  return ACCESS[value ?? AccessRequired.UNKNOWN] ?? 'unknown';
}

function utf8Bounded(text: string, max: number, what: string): string {
  if (Buffer.byteLength(text, 'utf8') > max) throw malformed(`${what} too long`);
  return text;
}

class Decryptor {
  private readonly cipher: ClientZkGroupCipher;
  constructor(secretParams: GroupSecretParams) {
    this.cipher = new ClientZkGroupCipher(secretParams);
  }

  serviceId(bytes: Uint8Array | undefined, what: string): string {
    if (!bytes?.length) throw malformed(`${what} without a user id`);
    try {
      return this.cipher.decryptServiceId(new UuidCiphertext(Buffer.from(bytes))).getServiceIdString();
    } catch (error) {
      throw malformed(`${what} user id`, error);
    }
  }

  aci(bytes: Uint8Array | undefined, what: string): string {
    const id = this.serviceId(bytes, what);
    if (id.startsWith('PNI:')) throw malformed(`${what} is not an ACI`);
    return id;
  }

  profileKey(bytes: Uint8Array | undefined, aci: string, what: string): string | null {
    if (!bytes?.length) return null;
    try {
      const ciphertext = new ProfileKeyCiphertext(Buffer.from(bytes));
      const key = this.cipher.decryptProfileKey(ciphertext, Aci.parseFromServiceIdString(aci));
      return Buffer.from(key.serialize()).toString('base64');
    } catch (error) {
      throw malformed(`${what} profile key`, error);
    }
  }

  blob(bytes: Uint8Array | undefined, what: string): ReturnType<typeof decodeAttributeBlob> | undefined {
    if (!bytes?.length) return undefined;
    let plaintext: Uint8Array;
    try {
      plaintext = this.cipher.decryptBlob(Buffer.from(bytes));
    } catch (error) {
      throw malformed(what, error);
    }
    try {
      return decodeAttributeBlob(plaintext);
    } catch (error) {
      throw malformed(what, error);
    }
  }
}

function member(d: Decryptor, proto: MemberProto): GroupState['members'][number] {
  const aci = d.aci(proto.userId, 'member');
  return {
    aci,
    role: role(proto.role, 'member'),
    profileKey: d.profileKey(proto.profileKey, aci, 'member'),
    joinedAtRevision: proto.joinedAtVersion ?? 0,
  };
}

/** Decrypt and check a server group with its secret params (ProtocolError when anything is off). */
export function decryptGroupState(secretParams: GroupSecretParams, group: GroupProto): GroupState {
  const expectedKey = Buffer.from(secretParams.getPublicParams().serialize());
  if (!group.publicKey || !expectedKey.equals(Buffer.from(group.publicKey))) throw malformed('public key');
  const entries =
    (group.members?.length ?? 0) +
    (group.membersPendingProfileKey?.length ?? 0) +
    (group.membersPendingAdminApproval?.length ?? 0);
  if (entries > MAX_ENTRIES) throw malformed('too many members');
  const d = new Decryptor(secretParams);

  const title = d.blob(group.title, 'title')?.title;
  if (title === undefined) throw malformed('title');
  const description = d.blob(group.description, 'description');
  if (description && description.descriptionText === undefined) throw malformed('description');
  const timer = d.blob(group.disappearingMessagesTimer, 'timer');
  if (timer && timer.disappearingMessagesDuration === undefined) throw malformed('timer');

  const members = (group.members ?? []).map((m) => member(d, m));
  if (new Set(members.map((m) => m.aci)).size !== members.length) throw malformed('member listed twice');
  const pending = (group.membersPendingProfileKey ?? []).map((p) => {
    if (!p.member) throw malformed('invited member');
    return {
      serviceId: d.serviceId(p.member.userId, 'invited member'),
      role: role(p.member.role, 'invited member'),
      addedBy: p.addedByUserId?.length ? d.aci(p.addedByUserId, 'inviter') : null,
      invitedAt: p.timestamp ?? null,
    };
  });
  const requesting = (group.membersPendingAdminApproval ?? []).map((r) => ({
    aci: d.aci(r.userId, 'requesting member'),
    requestedAt: r.timestamp ?? null,
  }));
  const seconds = timer?.disappearingMessagesDuration ?? 0;

  return {
    revision: group.version ?? 0,
    title: utf8Bounded(title, MAX_TITLE_BYTES, 'title'),
    description:
      description?.descriptionText === undefined
        ? null
        : utf8Bounded(description.descriptionText, MAX_DESCRIPTION_BYTES, 'description'),
    avatarUrl: group.avatarUrl ? group.avatarUrl : null,
    timerSeconds: seconds > 0 ? seconds : null,
    access: {
      attributes: access(group.accessControl?.attributes),
      members: access(group.accessControl?.members),
      addFromInviteLink: access(group.accessControl?.addFromInviteLink),
    },
    members,
    pending,
    requesting,
    announcementsOnly: group.announcementsOnly === true,
    terminated: group.terminated === true,
  };
}

/** Where we stand in a group: a member, invited (by ACI or PNI), or neither. */
export function membershipOf(
  state: GroupState,
  us: { readonly aci: string; readonly pni?: string | undefined },
): 'member' | 'invited' | 'none' {
  if (state.members.some((m) => m.aci === us.aci)) return 'member';
  const invited = state.pending.some((p) => p.serviceId === us.aci || (us.pni && p.serviceId === us.pni));
  return invited ? 'invited' : 'none';
}

/** May we, by the group's access rule and our role, change what the rule guards (attributes, members)? */
export function mayChange(
  state: GroupState,
  us: { readonly aci: string },
  rule: 'attributes' | 'members',
): boolean {
  const me = state.members.find((m) => m.aci === us.aci);
  if (!me) return false;
  const level = state.access[rule];
  return level === 'any' || level === 'member' || (level === 'administrator' && me.role === 'administrator');
}

/**
 * The subset of Signal's Groups.proto (groups v2, storage service) this client reads and writes, with
 * Signal's field numbers (checked against @signalapp/mock-server 27's compiled copy). Fields we do not list
 * (avatars, banned members, member labels, most change actions) are skipped by the decoder. Parsed with
 * protobufjs like src/signal/proto; malformed bytes become a ProtocolError.
 */
import protobuf from 'protobufjs';
import { ProtocolError } from '../errors.js';

const PROTO = `
syntax = "proto3";
package carapace.groups;

message AccessControl {
  enum AccessRequired {
    UNKNOWN = 0;
    ANY = 1;
    MEMBER = 2;
    ADMINISTRATOR = 3;
    UNSATISFIABLE = 4;
  }
  AccessRequired attributes = 1;
  AccessRequired members = 2;
  AccessRequired addFromInviteLink = 3;
}

message Member {
  enum Role {
    UNKNOWN = 0;
    DEFAULT = 1;
    ADMINISTRATOR = 2;
  }
  bytes userId = 1;
  Role role = 2;
  bytes profileKey = 3;
  bytes presentation = 4;
  uint32 joinedAtVersion = 5;
}

message MemberPendingProfileKey {
  Member member = 1;
  bytes addedByUserId = 2;
  uint64 timestamp = 3;
}

message MemberPendingAdminApproval {
  bytes userId = 1;
  bytes profileKey = 2;
  uint64 timestamp = 4;
}

message Group {
  bytes publicKey = 1;
  bytes title = 2;
  string avatarUrl = 3;
  bytes disappearingMessagesTimer = 4;
  AccessControl accessControl = 5;
  uint32 version = 6;
  repeated Member members = 7;
  repeated MemberPendingProfileKey membersPendingProfileKey = 8;
  repeated MemberPendingAdminApproval membersPendingAdminApproval = 9;
  bytes description = 11;
  bool announcementsOnly = 12;
  bool terminated = 14;
}

message GroupAttributeBlob {
  oneof content {
    string title = 1;
    bytes avatar = 2;
    uint32 disappearingMessagesDuration = 3;
    string descriptionText = 4;
  }
}

message GroupResponse {
  Group group = 1;
  bytes groupSendEndorsementsResponse = 2;
}

message GroupChange {
  message Actions {
    message PromoteMemberPendingProfileKeyAction {
      bytes presentation = 1;
    }
    message PromoteMemberPendingPniAciProfileKeyAction {
      bytes presentation = 1;
    }
    message DeleteMemberAction {
      bytes deletedUserId = 1;
    }
    message AddMemberPendingProfileKeyAction {
      MemberPendingProfileKey added = 1;
    }
    message DeleteMemberPendingProfileKeyAction {
      bytes deletedUserId = 1;
    }
    message ModifyTitleAction {
      bytes title = 1;
    }
    message ModifyDisappearingMessageTimerAction {
      bytes timer = 1;
    }
    bytes sourceUserId = 1;
    uint32 version = 2;
    repeated DeleteMemberAction deleteMembers = 4;
    repeated AddMemberPendingProfileKeyAction addMembersPendingProfileKey = 7;
    repeated DeleteMemberPendingProfileKeyAction deleteMembersPendingProfileKey = 8;
    repeated PromoteMemberPendingProfileKeyAction promoteMembersPendingProfileKey = 9;
    ModifyTitleAction modifyTitle = 10;
    ModifyDisappearingMessageTimerAction modifyDisappearingMessageTimer = 12;
    repeated PromoteMemberPendingPniAciProfileKeyAction promoteMembersPendingPniAciProfileKey = 24;
  }
  bytes actions = 1;
  bytes serverSignature = 2;
  uint32 changeEpoch = 3;
}

message GroupChanges {
  message GroupChangeState {
    GroupChange groupChange = 1;
    Group groupState = 2;
  }
  repeated GroupChangeState groupChanges = 1;
  bytes groupSendEndorsementsResponse = 2;
}

message GroupChangeResponse {
  GroupChange groupChange = 1;
  bytes groupSendEndorsementsResponse = 2;
}

message GroupContextV2 {
  bytes masterKey = 1;
  uint32 revision = 2;
  bytes groupChange = 3;
}
`;

export enum AccessRequired {
  UNKNOWN = 0,
  ANY = 1,
  MEMBER = 2,
  ADMINISTRATOR = 3,
  UNSATISFIABLE = 4,
}

export enum MemberRole {
  UNKNOWN = 0,
  DEFAULT = 1,
  ADMINISTRATOR = 2,
}

export interface MemberProto {
  userId?: Uint8Array;
  role?: MemberRole;
  profileKey?: Uint8Array;
  presentation?: Uint8Array;
  joinedAtVersion?: number;
}

export interface GroupProto {
  publicKey?: Uint8Array;
  title?: Uint8Array;
  avatarUrl?: string;
  disappearingMessagesTimer?: Uint8Array;
  accessControl?: {
    attributes?: AccessRequired;
    members?: AccessRequired;
    addFromInviteLink?: AccessRequired;
  };
  version?: number;
  members?: MemberProto[];
  membersPendingProfileKey?: Array<{ member?: MemberProto; addedByUserId?: Uint8Array; timestamp?: number }>;
  membersPendingAdminApproval?: Array<{ userId?: Uint8Array; profileKey?: Uint8Array; timestamp?: number }>;
  description?: Uint8Array;
  announcementsOnly?: boolean;
  terminated?: boolean;
}

export interface GroupAttributeBlobProto {
  title?: string;
  avatar?: Uint8Array;
  disappearingMessagesDuration?: number;
  descriptionText?: string;
}

export interface GroupChangeActionsProto {
  sourceUserId?: Uint8Array;
  version?: number;
  promoteMembersPendingProfileKey?: Array<{ presentation?: Uint8Array }>;
  /** Accepting an invitation to our PNI: we join with our ACI (the server checks our PNI in the auth). */
  promoteMembersPendingPniAciProfileKey?: Array<{ presentation?: Uint8Array }>;
  /** Leaving (our own entry) or removing a member: their encrypted service id. */
  deleteMembers?: Array<{ deletedUserId?: Uint8Array }>;
  /** Inviting: the invitee's encrypted service id and role (Signal's "pending profile key" members). */
  addMembersPendingProfileKey?: Array<{ added?: { member?: MemberProto } }>;
  /** Declining our invitation (our ACI or PNI entry) or revoking one. */
  deleteMembersPendingProfileKey?: Array<{ deletedUserId?: Uint8Array }>;
  /** An encrypted GroupAttributeBlob each. */
  modifyTitle?: { title?: Uint8Array };
  modifyDisappearingMessageTimer?: { timer?: Uint8Array };
}

/** A change log entry: the signed change and (from the mock, and Signal when asked) the state after it. */
export interface GroupChangeStateProto {
  groupChange?: GroupChangeProto;
  groupState?: GroupProto;
}

export interface GroupChangeProto {
  actions?: Uint8Array;
  serverSignature?: Uint8Array;
  changeEpoch?: number;
}

export interface GroupContextV2Proto {
  masterKey?: Uint8Array;
  revision?: number;
  groupChange?: Uint8Array;
}

const root = protobuf.parse(PROTO, { keepCase: true }).root;
const type = (name: string): protobuf.Type => root.lookupType(`carapace.groups.${name}`);
const types = {
  GroupResponse: type('GroupResponse'),
  GroupAttributeBlob: type('GroupAttributeBlob'),
  GroupChangeActions: type('GroupChange.Actions'),
  GroupChangeResponse: type('GroupChangeResponse'),
  GroupChange: type('GroupChange'),
  GroupChanges: type('GroupChanges'),
  Group: type('Group'),
  GroupContextV2: type('GroupContextV2'),
};

const TO_OBJECT: protobuf.IConversionOptions = {
  longs: Number,
  enums: Number,
  bytes: Uint8Array,
  defaults: false,
  oneofs: false,
};

function decodeWith<T>(which: protobuf.Type, bytes: Uint8Array, what: string): T {
  try {
    return which.toObject(which.decode(bytes), TO_OBJECT) as T;
  } catch (error) {
    throw new ProtocolError(`Malformed ${what}.`, { cause: error });
  }
}

function encodeWith(which: protobuf.Type, value: object, what: string): Uint8Array {
  try {
    return which.encode(which.fromObject(value)).finish();
  } catch (error) {
    throw new ProtocolError(`Could not encode ${what}.`, { cause: error });
  }
}

/** `GET /v2/groups` answers a GroupResponse; we keep the group (endorsements are for sending, later). */
export function decodeGroupResponse(bytes: Uint8Array): GroupProto {
  return decodeGroupResponseWithEndorsements(bytes).group;
}

/** The group and its send endorsements (GroupSendEndorsementsResponse, for src/groups/send). */
export function decodeGroupResponseWithEndorsements(bytes: Uint8Array): {
  group: GroupProto;
  endorsements: Uint8Array | undefined;
} {
  const response = decodeWith<{ group?: GroupProto; groupSendEndorsementsResponse?: Uint8Array }>(
    types.GroupResponse,
    bytes,
    'group response',
  );
  if (!response.group) throw new ProtocolError('Group response without a group.');
  const endorsements = response.groupSendEndorsementsResponse;
  return { group: response.group, endorsements: endorsements?.length ? endorsements : undefined };
}

export function decodeAttributeBlob(bytes: Uint8Array): GroupAttributeBlobProto {
  return decodeWith(types.GroupAttributeBlob, bytes, 'group attribute');
}

export function encodeGroupChangeActions(actions: GroupChangeActionsProto): Uint8Array {
  return encodeWith(types.GroupChangeActions, actions, 'group change');
}

export function decodeGroupChangeResponse(bytes: Uint8Array): GroupChangeProto {
  const response = decodeWith<{ groupChange?: GroupChangeProto }>(
    types.GroupChangeResponse,
    bytes,
    'group change response',
  );
  if (!response.groupChange) throw new ProtocolError('Group change response without a change.');
  return response.groupChange;
}

export function decodeGroupContext(bytes: Uint8Array): GroupContextV2Proto {
  return decodeWith(types.GroupContextV2, bytes, 'group context');
}

/** The group context every DataMessage we send to a group carries (src/groups/send). */
export function encodeGroupContext(context: GroupContextV2Proto): Uint8Array {
  return encodeWith(types.GroupContextV2, context, 'group context');
}

/** `PUT /v2/groups`: the new group, members with their profile key credential presentations. */
export function encodeGroup(group: GroupProto): Uint8Array {
  return encodeWith(types.Group, group, 'group');
}

export function encodeAttributeBlob(blob: GroupAttributeBlobProto): Uint8Array {
  return encodeWith(types.GroupAttributeBlob, blob, 'group attribute');
}

/** `GET /v2/groups/logs/{from}` answers GroupChanges: the changes from that revision on, in order. */
export function decodeGroupChanges(bytes: Uint8Array): GroupChangeStateProto[] {
  const changes = decodeWith<{ groupChanges?: GroupChangeStateProto[] }>(
    types.GroupChanges,
    bytes,
    'group change log',
  );
  return changes.groupChanges ?? [];
}

/** The actions inside a (signed) change: who made it and to which revision. */
export function decodeGroupChangeActions(bytes: Uint8Array): GroupChangeActionsProto {
  return decodeWith(types.GroupChangeActions, bytes, 'group change actions');
}

export function encodeGroupChange(change: GroupChangeProto): Uint8Array {
  return encodeWith(types.GroupChange, change, 'group change');
}

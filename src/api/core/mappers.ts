/**
 * Core records → the contract's DTOs. Pure functions: what the UI may see of a message, an attachment or a
 * conversation (no keys, pointers or file ids ever cross).
 */
import type {
  Attachment as ApiAttachment,
  AttachmentBytes as ApiAttachmentBytes,
  Conversation as ApiConversation,
  Message as ApiMessage,
} from '../contract.js';
import type { Conversation, LastMessage, Message } from '../../messaging/store.js';
import type { AttachmentInfo } from '../../messaging/attachments/records.js';
import type { AttachmentBytes } from '../../messaging/attachments/service.js';
import { VerifiedStatus } from '../../signal/stores/index.js';
import { toApiGroupChange, type NameOf } from './group-view.js';

/** Characters of a message shown in a conversation's preview and an in-app toast. */
export const PREVIEW_LENGTH = 80;

/** What the contract shows of an attachment record (no key, no pointer, no file id). */
function toApiAttachment(info: AttachmentInfo): ApiAttachment {
  return {
    id: info.id,
    state: info.state,
    contentType: info.contentType ?? null,
    fileName: info.fileName ?? null,
    size: info.size ?? null,
    width: info.width ?? null,
    height: info.height ?? null,
    inlineImage: info.inlineImage,
    hasThumbnail: info.hasThumbnail,
    media: info.media,
    potentiallyExecutable: info.potentiallyExecutable,
    failure: info.failure ?? null,
  };
}

function messageStatus(message: Message): ApiMessage['status'] {
  if (message.status === null) return message.direction === 'in' ? 'received' : 'sent';
  if (message.status === 'pending') return 'sending';
  if (message.status === 'viewed') return 'read';
  return message.status;
}

export function toApiMessage(
  message: Message,
  attachmentInfo: (id: string) => AttachmentInfo | undefined = () => undefined,
  nameOf: NameOf = (serviceId) => serviceId,
  inGroup = false,
): ApiMessage {
  const preview = message.preview;
  // The preview's image is one of the message's attachments, shown in the preview card only.
  const previewImageId = preview?.imageAttachmentId ?? null;
  const previewImage = previewImageId !== null ? attachmentInfo(previewImageId) : undefined;
  return {
    id: message.id,
    conversationId: message.conversationId,
    kind: message.kind === 'message' ? 'text' : (message.eventType ?? 'decryption-failed'),
    direction: message.direction,
    body: message.kind === 'message' ? (message.body ?? '') : '',
    sentAt: message.sentAt,
    receivedAt: message.receivedAt,
    status: messageStatus(message),
    expireTimerSeconds: message.expireTimerSeconds,
    expiresAt: message.expiresAt,
    attachments: message.attachmentIds.flatMap((id) => {
      // A viewed view-once (or expired) attachment is gone: only the message's marker remains.
      const info = id === previewImageId ? undefined : attachmentInfo(id);
      return info ? [toApiAttachment(info)] : [];
    }),
    preview: preview && {
      url: preview.url,
      title: preview.title,
      description: preview.description,
      image: previewImage ? toApiAttachment(previewImage) : null,
    },
    viewOnce: message.viewOnce,
    viewed: message.viewed,
    quote: message.quote && {
      authorIsYou: message.quote.authorIsYou,
      sentAt: message.quote.sentAt,
      messageId: message.quote.foundId,
      found: message.quote.foundId !== null,
      text: message.quote.text,
      attachment: message.quote.attachment,
      ...(inGroup ? { author: named(message.quote.authorServiceId, nameOf) } : {}),
    },
    reactions: reactionGroups(message, inGroup ? nameOf : undefined),
    editedAt: message.editedAt,
    deleted: message.deleted,
    timerChange: timerChange(message),
    groupChange: toApiGroupChange(message, nameOf),
    author: inGroup ? groupAuthor(message, nameOf) : null,
  };
}

/**
 * In a group: who wrote an incoming message, or whose safety number an `identity-changed` event is about
 * (src/groups/group-messages.ts records the member); null for our own messages and other events.
 */
function groupAuthor(message: Message, nameOf: NameOf): ApiMessage['author'] {
  if (message.direction !== 'in') return null;
  const member = message.eventType === 'identity-changed' ? message.eventData?.['serviceId'] : undefined;
  const serviceId = message.kind === 'message' ? message.sourceServiceId : member;
  return typeof serviceId === 'string' ? named(serviceId, nameOf) : null;
}

function named(serviceId: string, nameOf: NameOf): { serviceId: string; name: string } {
  return { serviceId, name: nameOf(serviceId) };
}

/** Reactions grouped by emoji, in the order each emoji first appeared; each reactor named in a group. */
function reactionGroups(message: Message, nameOf: NameOf | undefined): ApiMessage['reactions'] {
  const groups = new Map<string, ApiMessage['reactions'][number]>();
  for (const r of [...message.reactions].sort((a, b) => a.reactedAt - b.reactedAt)) {
    const group = groups.get(r.emoji) ?? { emoji: r.emoji, count: 0, includesYou: false, reactors: [] };
    groups.set(r.emoji, {
      ...group,
      count: group.count + 1,
      includesYou: group.includesYou || r.fromYou,
      reactors: [
        ...group.reactors,
        {
          fromYou: r.fromYou,
          reactedAt: r.reactedAt,
          ...(nameOf ? { person: named(r.reactorServiceId, nameOf) } : {}),
        },
      ],
    });
  }
  return [...groups.values()];
}

/** Who set a chat's timer to what, from a timer-changed event's data ({ seconds, byThem }). */
function timerChange(message: Message): ApiMessage['timerChange'] {
  if (message.eventType !== 'timer-changed' || message.eventData === null) return null;
  const seconds = message.eventData['seconds'];
  return {
    setByYou: message.eventData['byThem'] !== true,
    seconds: typeof seconds === 'number' && seconds > 0 ? seconds : null,
  };
}

/** Decrypted attachment bytes as base64 for the UI; the plaintext Buffer is zeroed once encoded. */
export function toApiAttachmentBytes(item: AttachmentBytes): ApiAttachmentBytes {
  try {
    return {
      dataBase64: item.bytes.toString('base64'),
      blobType: item.blobType,
      inlineImage: item.inlineImage,
    };
  } finally {
    item.bytes.fill(0);
  }
}

export function verifiedState(status: VerifiedStatus | undefined): ApiConversation['verified'] {
  if (status === VerifiedStatus.Verified) return 'verified';
  if (status === VerifiedStatus.Unverified) return 'unverified';
  return 'default';
}

/**
 * A chat's title: the contact's profile name (or the local name given when it was started, which their
 * profile name replaces once fetched), their number, the username they were found by, else unknown.
 */
export function conversationTitle(conversation: Conversation, username: string | null): string {
  return conversation.profileName ?? conversation.e164 ?? username ?? 'Unknown contact';
}

/** The conversation list's preview of its last message: text, "Attachment", or nothing for events. */
function preview(last: LastMessage): string | null {
  if (last.kind !== 'message') return null;
  return (last.body || (last.hasAttachments ? 'Attachment' : '')).slice(0, PREVIEW_LENGTH);
}

export function toApiConversation(
  conversation: Conversation,
  last: LastMessage | null,
  verified: ApiConversation['verified'],
  username: string | null,
  group: ApiConversation['group'] = null,
): ApiConversation {
  return {
    id: conversation.id,
    title: conversationTitle(conversation, username),
    serviceId: conversation.serviceId,
    unreadCount: conversation.unreadCount,
    lastMessageAt: last ? last.receivedAt : conversation.lastActivityAt,
    lastMessagePreview: last ? preview(last) : null,
    expireTimerSeconds: conversation.expireTimerSeconds,
    safetyNumberChanged: conversation.safetyNumberChanged,
    verified,
    blocked: conversation.blocked,
    isRequest: conversation.isRequest,
    isContact: conversation.isContact,
    markedUnread: conversation.markedUnread,
    ...(conversation.e164 ? { e164: conversation.e164 } : {}),
    ...(username ? { username } : {}),
    group,
  };
}

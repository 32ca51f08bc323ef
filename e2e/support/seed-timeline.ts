/**
 * Seeds a chat whose messages were sent and received at chosen times (days ago), both directions and any
 * delivery state, through the real Vault and MessageStore while the app's vault is locked — for specs of
 * how the timeline looks (day separators, ticks) without waiting days.
 */
import { Vault, type KdfParams } from '../../src/vault/index.js';
import { MessageStore, type MessageStatus } from '../../src/messaging/store.js';

export interface SeededMessage {
  body: string;
  /** When it was sent (and received), ms since the epoch. */
  at: number;
  direction: 'in' | 'out';
  /** Ours only: pending, sent, delivered, read, failed. */
  status?: MessageStatus;
}

export interface SeedChat {
  contactName: string;
  serviceId: string;
  isContact: boolean;
  messages: readonly SeededMessage[];
}

export async function seedTimeline(
  profileDir: string,
  options: { passphrase: string; kdf?: Partial<KdfParams>; chats: readonly SeedChat[] },
): Promise<void> {
  const vault = new Vault(profileDir, options.kdf ? { kdf: options.kdf } : {});
  const pass = Buffer.from(options.passphrase, 'utf8');
  try {
    await vault.unlock(pass);
  } finally {
    pass.fill(0);
  }
  try {
    let now = 0;
    const store = new MessageStore(vault.db, { clock: () => now });
    for (const chat of options.chats) {
      const conversation = store.getOrCreateConversation(chat.serviceId, {
        profileName: chat.contactName,
        isContact: chat.isContact,
      });
      store.transaction(() => {
        for (const message of chat.messages) {
          now = message.at;
          if (message.direction === 'in') {
            store.insertIncoming({
              conversationId: conversation.id,
              sourceServiceId: chat.serviceId,
              sourceDevice: 1,
              sentAt: message.at,
              body: message.body,
            });
          } else {
            store.insertOutgoing({
              conversationId: conversation.id,
              sourceServiceId: chat.serviceId,
              sourceDevice: 1,
              sentAt: message.at,
              body: message.body,
              status: message.status ?? 'sent',
            });
          }
        }
      });
      store.markRead(conversation.id);
    }
  } finally {
    vault.lock('shutdown');
  }
}

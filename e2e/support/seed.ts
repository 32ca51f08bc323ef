/**
 * Seeds a profile the way the receive pipeline would: through the real Vault and MessageStore, while the
 * app's own vault is locked (the harness keeps its DB closed while locked, so the files are free).
 */
import { Vault, type KdfParams } from '../../src/vault/index.js';
import { MessageStore } from '../../src/messaging/store.js';

export interface SeedOptions {
  passphrase: string;
  kdf?: Partial<KdfParams>;
  contactName: string;
  serviceId: string;
  bodies: readonly string[];
}

/** Adds a conversation with incoming messages (oldest first in `bodies`); returns its id. */
export async function seedConversation(profileDir: string, options: SeedOptions): Promise<string> {
  const vault = new Vault(profileDir, options.kdf ? { kdf: options.kdf } : {});
  const pass = Buffer.from(options.passphrase, 'utf8');
  try {
    await vault.unlock(pass);
  } finally {
    pass.fill(0);
  }
  try {
    const store = new MessageStore(vault.db);
    const conversation = store.getOrCreateConversation(options.serviceId, {
      profileName: options.contactName,
      isContact: true,
    });
    const base = Date.now() - options.bodies.length * 1000;
    store.transaction(() => {
      options.bodies.forEach((body, i) => {
        store.insertIncoming({
          conversationId: conversation.id,
          sourceServiceId: options.serviceId,
          sourceDevice: 1,
          sentAt: base + i * 1000,
          body,
        });
      });
    });
    return conversation.id;
  } finally {
    vault.lock('shutdown');
  }
}

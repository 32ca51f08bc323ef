/**
 * A history to measure against (the scale bench's profiles, the backlog bench's long-history pass), and the
 * vault's cost of storing an incoming message when the history is long vs short, in µs of CPU. Messages are
 * stored the way the Receiver commits a batch — 100 per transaction, each with the delivery key its envelope
 * would carry (src/messaging/delivery-key.ts) — into the profile's most active conversation. Random keys in
 * an index (a v4 message id, a bare server GUID) made this grow with history: each insert then dirtied a page
 * of its own (about 130 µs per message at 5,000 messages, 280 µs at 60,000 on the development machine).
 */
import { randomUUID } from 'node:crypto';
import { envelopeDeliveryKey } from '../src/messaging/delivery-key.js';
import { MessageStore } from '../src/messaging/store.js';
import { TEST_KDF, TEST_PASSPHRASE } from '../src/test-support/vault.js';
import type { SqlDatabase } from '../src/vault/sql.js';
import { Vault } from '../src/vault/index.js';
import { cpuMs } from './receive-stages.js';

const BATCH = 100;

/** A delivery key as the server would give the envelope of a message sent at `sentAt`. */
function seededDeliveryKey(sentAt: number): string | undefined {
  return envelopeDeliveryKey({ serverGuid: randomUUID(), serverTimestamp: sentAt + 300 });
}

/**
 * `conversations` contacts × `perConversation` incoming messages, interleaved like real traffic (message i of
 * every conversation, then message i + 1 …), sent before now, each with its envelope's delivery key. Returns
 * the newest conversation's id.
 */
export function seedHistory(db: SqlDatabase, conversations: number, perConversation: number): string {
  const store = new MessageStore(db);
  const base = Date.now() - conversations * perConversation * 1000;
  const contacts = store.transaction(() =>
    Array.from({ length: conversations }, (_, c) => {
      const serviceId = randomUUID();
      const init = { profileName: `Contact ${c}`, isContact: true };
      return { serviceId, id: store.getOrCreateConversation(serviceId, init).id };
    }),
  );
  for (let i = 0; i < perConversation; i += 1) {
    store.transaction(() => {
      contacts.forEach(({ id, serviceId }, c) => {
        const sentAt = base + (i * conversations + c) * 1000;
        store.insertIncoming({
          conversationId: id,
          sourceServiceId: serviceId,
          sourceDevice: 1,
          sentAt,
          deliveryKey: seededDeliveryKey(sentAt) ?? null,
          body: `message ${i} of conversation ${c}, about as long as a chat line`,
        });
      });
    });
  }
  const newest = contacts[contacts.length - 1];
  if (!newest) throw new Error('seedHistory: no conversations');
  return newest.id;
}

/** µs of CPU per message to store `messages` incoming messages into `conversationId` of the profile. */
export async function storeIntoHistoryUs(
  dir: string,
  conversationId: string,
  messages: number,
  firstSentAt: number,
): Promise<number> {
  const vault = new Vault(dir, { kdf: TEST_KDF });
  await vault.unlock(Buffer.from(TEST_PASSPHRASE));
  try {
    const store = new MessageStore(vault.db);
    const serviceId = store.getConversation(conversationId)?.serviceId;
    if (!serviceId) throw new Error('store-into-history: no such conversation');
    const start = cpuMs();
    for (let done = 0; done < messages; done += BATCH) {
      store.transaction(() => {
        for (let i = done; i < Math.min(done + BATCH, messages); i += 1) {
          const sentAt = firstSentAt + i;
          store.insertIncoming({
            conversationId,
            sourceServiceId: serviceId,
            sourceDevice: 1,
            sentAt,
            deliveryKey: seededDeliveryKey(sentAt) ?? null,
            body: `incoming ${i}, about as long as a chat line is in the seeded history`,
          });
        }
      });
    }
    return ((cpuMs() - start) * 1000) / messages;
  } finally {
    vault.lock('shutdown');
  }
}

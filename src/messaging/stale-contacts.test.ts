/**
 * Delete stale contacts + profile-key rotation (Molly), on the demo network: the removed contact keeps
 * only our OLD profile key, which no longer matches the commitment the server now holds for us (so it
 * cannot fetch/decrypt our new profile or derive our new access key); remaining contacts receive the
 * new key with our next message. Observed at the server and at the contacts' simulated devices.
 */
import { Aci } from '@signalapp/libsignal-client';
import { ProfileKey } from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessagingClient } from './client.js';
import { createHarness, type Harness } from './test-support/harness.js';

function commitment(key: Uint8Array, aci: string): Buffer {
  return Buffer.from(
    new ProfileKey(Buffer.from(key)).getCommitment(Aci.parseFromServiceIdString(aci)).serialize(),
  );
}

describe('remove a stale contact and rotate the profile key (demo network)', () => {
  let h: Harness;
  let client: MessagingClient;
  let ourKey: Uint8Array;

  beforeAll(async () => {
    h = await createHarness();
    ourKey = new Uint8Array(h.account.profileKey);
    client = await h.startClient({
      ownProfileKey: () => ourKey,
      saveOwnProfileKey: (key) => {
        ourKey = new Uint8Array(key); // a copy: the client zeroes its buffer afterwards
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('the removed contact’s key no longer matches; remaining contacts get the new key', async () => {
    const sam = await h.contact('Sam');
    const fred = await h.contact('Fred');
    const samChat = client.conversation(sam.aci);
    const fredChat = client.conversation(fred.aci);
    await client.sendText(samChat.id, 'hi sam');
    await client.sendText(fredChat.id, 'hi fred');
    const samHolds = (await sam.device.waitForMessage()).dataMessage.profileKey!;
    const fredHeld = (await fred.device.waitForMessage()).dataMessage.profileKey!;
    expect(Buffer.from(samHolds).equals(Buffer.from(h.account.profileKey))).toBe(true);
    expect(Buffer.from(fredHeld).equals(Buffer.from(h.account.profileKey))).toBe(true);

    await client.removeContact(samChat.id);
    const oldKey = h.account.profileKey;
    expect(Buffer.from(ourKey).equals(Buffer.from(oldKey))).toBe(false);
    expect(ourKey).toHaveLength(32);
    const removed = client.store.getConversation(samChat.id)!;
    expect(removed.isContact).toBe(false);
    expect(removed.acceptedAt).toBeNull();

    // The server holds the commitment of the NEW key: what Sam holds does not match it.
    const device = h.device as unknown as { profileKeyCommitment?: { serialize(): Uint8Array } };
    const atServer = Buffer.from(device.profileKeyCommitment!.serialize());
    expect(atServer.equals(commitment(ourKey, h.account.aci))).toBe(true);
    expect(atServer.equals(commitment(samHolds, h.account.aci))).toBe(false);
    // Nor can Sam derive our new unidentified-access key from what he has.
    const newAccess = Buffer.from(new ProfileKey(Buffer.from(ourKey)).deriveAccessKey());
    expect(Buffer.from(new ProfileKey(Buffer.from(samHolds)).deriveAccessKey()).equals(newAccess)).toBe(
      false,
    );

    // Fred, who stays, gets the new key with our next message; Sam got nothing from the removal.
    await client.sendText(fredChat.id, 'still friends');
    const next = await fred.device.waitForMessage();
    expect(next.body).toBe('still friends');
    expect(Buffer.from(next.dataMessage.profileKey!).equals(Buffer.from(ourKey))).toBe(true);
    expect(sam.device.getMessageQueueSize()).toBe(0);
  });

  it('with deleteConversation the chat and its timeline are gone too', async () => {
    const tim = await h.contact('Tim');
    await h.sendFromContact(tim, 'old news').acked;
    const chat = client.store.findConversationByServiceId(tim.aci)!;
    const removedEvents: string[] = [];
    const off = client.on('conversation.removed', ({ id }) => removedEvents.push(id));
    const before = new Uint8Array(ourKey);
    await client.removeContact(chat.id, { deleteConversation: true });
    off();
    expect(removedEvents).toEqual([chat.id]);
    expect(client.store.getConversation(chat.id)).toBeUndefined();
    expect(client.store.countMessages(chat.id)).toBe(0);
    expect(Buffer.from(ourKey).equals(Buffer.from(before))).toBe(false); // rotated again
  });
});

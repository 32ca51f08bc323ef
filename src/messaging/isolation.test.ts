/**
 * Transaction isolation of the receive pipeline, on a real vault with real libsignal and envelopes
 * made by the mock server's own simulated phone: another writer on the same vault connection (here the
 * real SettingsStore) that writes while a receive is in flight must not be rolled back with it: no
 * transaction is open across libsignal's async decrypt (its writes are staged; see docs/ARCHITECTURE.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SerialQueue } from '../async/serial-queue.js';
import type { DemoContact } from '../demo/network.js';
import { SettingsStore } from '../settings/store.js';
import { decodeEnvelope, type Envelope } from '../signal/proto/signal-service.js';
import { SignalProtocolStores } from '../signal/stores/index.js';
import { Receiver, type EnvelopeDecryptor } from './receiver.js';
import { SignalAdapter } from './signal-adapter.js';
import { MessageStore } from './store.js';
import { createHarness, type Harness } from './test-support/harness.js';

/** A gate the decryptor waits at after decrypting, so the test can write "while the receive is in flight". */
function window(): { reached: Promise<void>; enter: () => void; wait: Promise<void>; release: () => void } {
  let enter!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => (enter = resolve));
  const wait = new Promise<void>((resolve) => (release = resolve));
  return { reached, enter, wait, release };
}

describe('receive transaction isolation', () => {
  let h: Harness;
  let contact: DemoContact;
  let envelopeBytes: Buffer;
  let adapter: SignalAdapter;
  let stores: SignalProtocolStores;
  let store: MessageStore;

  beforeAll(async () => {
    h = await createHarness();
    contact = await h.contact('Iso');
    const key = await h.device.popSingleUseKey();
    await contact.device.addSingleUseKey(h.device, key);
    // A prekey message: decrypting it writes a session, removes a one-time prekey, uses a Kyber key.
    envelopeBytes = await contact.device.encryptText(h.device, 'isolated', { timestamp: Date.now() });
    stores = new SignalProtocolStores(h.vault.db);
    adapter = new SignalAdapter(stores, h.account, h.network.config.unidentifiedDeliveryTrustRoots);
    store = new MessageStore(h.vault.db);
  });
  afterAll(async () => {
    stores?.dispose();
    await h?.close();
  });

  function receiver(decryptor: EnvelopeDecryptor): Receiver {
    return new Receiver({
      store,
      lock: new SerialQueue(),
      decryptor,
      blockUnknownSenders: () => 'off',
    });
  }

  function storedSeconds(): number {
    return new SettingsStore(h.vault.db).get().disappearingDefaultSeconds; // fresh: no cache
  }

  it('staged path: no transaction during decrypt; the settings write survives the rolled-back receive', async () => {
    const gate = window();
    const staged: EnvelopeDecryptor = {
      decryptStaged: async (envelope: Envelope) => {
        const real = await adapter.decryptStaged(envelope);
        gate.enter();
        await gate.wait;
        return {
          result: real.result,
          commit: () => {
            real.commit();
            throw new Error('simulated disk failure before COMMIT');
          },
        };
      },
      pendingIdentityChanges: () => adapter.pendingIdentityChanges(),
      consumeIdentityChanges: (ids) => adapter.consumeIdentityChanges(ids),
    };
    const prekeysBefore = stores.aci.preKeys.count();
    const pending = receiver(staged).handleEnvelope(envelopeBytes);
    await gate.reached;
    expect(h.vault.db.inTransaction).toBe(false);
    new SettingsStore(h.vault.db).set('disappearingDefaultSeconds', 86_400);
    gate.release();
    await expect(pending).rejects.toThrow('simulated disk failure');
    expect(storedSeconds()).toBe(86_400);
    // And the receive itself left nothing: no session, the one-time prekey still there, no message.
    const source = contact.aci;
    expect(decodeEnvelope(envelopeBytes).type).toBe(3); // PREKEY_BUNDLE
    expect(stores.aci.sessions.deviceIds(source)).toEqual([]);
    expect(stores.aci.preKeys.count()).toBe(prekeysBefore);
    expect(store.findConversationByServiceId(source)).toBeUndefined();
  });

  it('the same envelope then commits normally through the staged path (state + message together)', async () => {
    const outcome = await receiver(adapter).handleEnvelope(envelopeBytes);
    expect(outcome).toBe('stored');
    const conversation = store.findConversationByServiceId(contact.aci)!;
    expect(store.page(conversation.id).messages.map((m) => m.body)).toEqual(['isolated']);
    expect(stores.aci.sessions.deviceIds(contact.aci)).toEqual([1]);
    // A second delivery of the same bytes is a duplicate, not a second row.
    expect(await receiver(adapter).handleEnvelope(envelopeBytes)).toBe('duplicate');
    expect(store.countMessages(conversation.id)).toBe(1);
  });
});

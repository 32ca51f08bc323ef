// The protocol steps of ./cipher.ts, driven through the simulated peers' SignalCipher (test support):
// sessions, sealed sender, bad input and identity changes between two real vaults.
import {
  CiphertextMessageType,
  DecryptionErrorMessage,
  groupDecrypt,
  groupEncrypt,
  PlaintextContent,
  PrivateKey,
  ProtocolAddress,
  processSenderKeyDistributionMessage,
  SenderKeyDistributionMessage,
} from '@signalapp/libsignal-client';
import { ProfileKey } from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DecryptionError, ProtocolError, UntrustedIdentityError } from '../errors.js';
import { setLogSink, type LogFields } from '../log.js';
import {
  EnvelopeDecryptionError,
  parseTrustRoots,
  type DecryptResult,
} from './test-support/signal-cipher.js';
import { fromBase64, toBase64 } from './bytes.js';
import { encodeEnvelope, EnvelopeType, ReceiptType, type Content } from './proto/signal-service.js';
import { VerifiedStatus } from './stores/index.js';
import { createTestPki, type TestPki } from './test-support/certificates.js';
import { createTestDir, type TestDir } from '../test-support/files.js';
import { createParty, deliver, type Party } from './test-support/party.js';

let dir: TestDir;
let pki: TestPki;
let alice: Party;
let bob: Party;
const others: Party[] = [];

const text = (body: string, timestamp = Date.now()): Content => ({ dataMessage: { body, timestamp } });

function bodyOf(result: DecryptResult): string | undefined {
  if (result.kind !== 'content') throw new Error(`expected content, got ${result.kind}`);
  return result.content.dataMessage?.body;
}

async function certFor(party: Party): Promise<Uint8Array> {
  const pair = await party.stores.aci.identity.getIdentityKeyPair();
  return pki.senderCertificate(party.aci, party.deviceId, pair.publicKey);
}

/** Alice fetches Bob's bundle and sends him a first message. */
async function aliceStarts(body = 'hello bob'): Promise<Uint8Array> {
  await alice.cipher.processPreKeyBundle(bob.aci, bob.nextBundle());
  return deliver(alice, bob, await alice.cipher.encrypt(bob.aci, 1, text(body)));
}

beforeEach(() => {
  dir = createTestDir();
  pki = createTestPki();
  alice = createParty(dir.path, 'alice', [pki.trustRoot]);
  bob = createParty(dir.path, 'bob', [pki.trustRoot]);
});

afterEach(() => {
  setLogSink(undefined);
  for (const p of [alice, bob, ...others.splice(0)]) p.close();
  dir.dispose();
});

describe('SignalCipher: sessions', () => {
  it('establishes a session from a prekey bundle and exchanges messages both ways', async () => {
    const first = await aliceStarts('hello bob');
    const r1 = await bob.cipher.decrypt(first);
    expect(r1.kind).toBe('content');
    expect(bodyOf(r1)).toBe('hello bob');
    if (r1.kind === 'content') {
      expect(r1.envelopeType).toBe(EnvelopeType.PREKEY_BUNDLE);
      expect(r1.sender).toEqual({ serviceId: alice.aci, deviceId: 1 });
      expect(r1.sealed).toBe(false);
      expect(r1.destination).toBe('aci');
    }

    // Bob answers over the session the prekey message created (no bundle fetch needed).
    expect(bob.cipher.hasSession(alice.aci, 1)).toBe(true);
    const reply = await bob.cipher.encrypt(alice.aci, 1, {
      receiptMessage: { type: ReceiptType.DELIVERY, timestamp: [7] },
    });
    expect(reply.type).toBe(EnvelopeType.CIPHERTEXT);
    expect(reply.destinationRegistrationId).toBe(alice.keys.registration.registrationId);
    const r2 = await alice.cipher.decrypt(deliver(bob, alice, reply));
    expect(r2.kind === 'content' && r2.content.receiptMessage).toEqual({
      type: ReceiptType.DELIVERY,
      timestamp: [7],
    });

    // Once Bob has answered, Alice's messages are plain double-ratchet messages.
    const third = await alice.cipher.encrypt(bob.aci, 1, text('third'));
    expect(third.type).toBe(EnvelopeType.CIPHERTEXT);
    expect(bodyOf(await bob.cipher.decrypt(deliver(alice, bob, third)))).toBe('third');
  });

  it('uses up the one-time prekeys a prekey message consumed', async () => {
    const bundle = bob.nextBundle();
    const preKeyId = bundle.devices[0]?.preKey?.keyId ?? -1;
    const pqId = bundle.devices[0]?.pqPreKey.keyId ?? -1;
    expect(bob.stores.aci.preKeys.has(preKeyId)).toBe(true);
    expect(bob.stores.aci.kyberPreKeys.isLastResort(pqId)).toBe(false);
    await alice.cipher.processPreKeyBundle(bob.aci, bundle);
    await bob.cipher.decrypt(deliver(alice, bob, await alice.cipher.encrypt(bob.aci, 1, text('x'))));
    expect(bob.stores.aci.preKeys.has(preKeyId)).toBe(false);
    expect(bob.stores.aci.kyberPreKeys.isLastResort(pqId)).toBeNull();
  });

  it('works with the last-resort Kyber key and no one-time prekey, and rejects a last-resort replay', async () => {
    const bundle = bob.nextBundle('aci', false);
    const lastResortId = bundle.devices[0]?.pqPreKey.keyId ?? -1;
    expect(bob.stores.aci.kyberPreKeys.isLastResort(lastResortId)).toBe(true);
    await alice.cipher.processPreKeyBundle(bob.aci, bundle);
    expect(
      bodyOf(
        await bob.cipher.decrypt(deliver(alice, bob, await alice.cipher.encrypt(bob.aci, 1, text('lr')))),
      ),
    ).toBe('lr');
    expect(bob.stores.aci.kyberPreKeys.isLastResort(lastResortId)).toBe(true); // kept
    const baseKey = PrivateKey.generate().getPublicKey();
    const signedId = bundle.devices[0]?.signedPreKey.keyId ?? -1;
    await bob.stores.aci.kyberPreKeys.markKyberPreKeyUsed(lastResortId, signedId, baseKey);
    await expect(
      bob.stores.aci.kyberPreKeys.markKyberPreKeyUsed(lastResortId, signedId, baseKey),
    ).rejects.toThrow(ProtocolError);
  });

  it('decrypts out-of-order delivery', async () => {
    await bob.cipher.decrypt(await aliceStarts('start'));
    await alice.cipher.decrypt(deliver(bob, alice, await bob.cipher.encrypt(alice.aci, 1, text('ack'))));
    const sent = [];
    for (const body of ['m1', 'm2', 'm3', 'm4'])
      sent.push(deliver(alice, bob, await alice.cipher.encrypt(bob.aci, 1, text(body))));
    const order = [3, 0, 2, 1];
    const got = [];
    for (const i of order) got.push(bodyOf(await bob.cipher.decrypt(sent[i] as Uint8Array)));
    expect(got).toEqual(['m4', 'm1', 'm3', 'm2']);
  });

  it('reports the same envelope decrypted twice as a duplicate, not a failure', async () => {
    const first = await aliceStarts('once');
    expect(bodyOf(await bob.cipher.decrypt(first))).toBe('once');
    const again = await bob.cipher.decrypt(first);
    expect(again.kind).toBe('duplicate');
    expect(again.kind === 'duplicate' && again.sender).toEqual({ serviceId: alice.aci, deviceId: 1 });

    const next = deliver(alice, bob, await alice.cipher.encrypt(bob.aci, 1, text('twice')));
    expect(bodyOf(await bob.cipher.decrypt(next))).toBe('twice');
    expect((await bob.cipher.decrypt(next)).kind).toBe('duplicate');
  });

  it('continues the same session after both DB files are closed and reopened', async () => {
    await bob.cipher.decrypt(await aliceStarts('before restart'));
    alice.reopen();
    bob.reopen();
    const m = await alice.cipher.encrypt(bob.aci, 1, text('after restart'));
    expect(m.type).toBe(EnvelopeType.PREKEY_BUNDLE); // Bob has not answered yet: still a prekey message
    expect(bodyOf(await bob.cipher.decrypt(deliver(alice, bob, m)))).toBe('after restart');
    const reply = await bob.cipher.encrypt(alice.aci, 1, text('welcome back'));
    bob.reopen();
    alice.reopen();
    expect(bodyOf(await alice.cipher.decrypt(deliver(bob, alice, reply)))).toBe('welcome back');
  });

  it('decrypts a prekey message addressed to our PNI with the PNI stores', async () => {
    await alice.cipher.processPreKeyBundle(bob.pni, bob.nextBundle('pni'));
    const m = await alice.cipher.encrypt(bob.pni, 1, text('to your number'));
    const r = await bob.cipher.decrypt(deliver(alice, bob, m, Date.now(), 'pni'));
    expect(bodyOf(r)).toBe('to your number');
    expect(r.kind === 'content' && r.destination).toBe('pni');
  });
});

describe('SignalCipher: concurrency, plaintext content and sender keys', () => {
  it('serializes concurrent encrypts and decrypts on one session', async () => {
    await bob.cipher.decrypt(await aliceStarts('start'));
    await alice.cipher.decrypt(deliver(bob, alice, await bob.cipher.encrypt(alice.aci, 1, text('ack'))));
    const bodies = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
    const sent = await Promise.all(bodies.map((b) => alice.cipher.encrypt(bob.aci, 1, text(b))));
    const got = await Promise.all(sent.map((m) => bob.cipher.decrypt(deliver(alice, bob, m))));
    expect(got.map(bodyOf).sort()).toEqual(bodies);
  });

  it('accepts a PLAINTEXT_CONTENT envelope carrying a decryption-error (retry) request', async () => {
    await bob.cipher.decrypt(await aliceStarts('start'));
    await alice.cipher.decrypt(deliver(bob, alice, await bob.cipher.encrypt(alice.aci, 1, text('ack'))));
    const whisper = await alice.cipher.encrypt(bob.aci, 1, text('lost'));
    expect(whisper.type).toBe(EnvelopeType.CIPHERTEXT);
    const original = fromBase64(whisper.content);
    const dem = DecryptionErrorMessage.forOriginal(original, CiphertextMessageType.Whisper, 1234, 1);
    const r = await bob.cipher.decrypt(
      encodeEnvelope({
        type: EnvelopeType.PLAINTEXT_CONTENT,
        sourceServiceId: alice.aci,
        sourceDevice: 1,
        destinationServiceId: bob.aci,
        content: PlaintextContent.from(dem).serialize(),
      }),
    );
    expect(r.kind).toBe('content');
    const bytes = r.kind === 'content' ? r.content.decryptionErrorMessage : undefined;
    expect(bytes && DecryptionErrorMessage.deserialize(new Uint8Array(bytes)).timestamp()).toBe(1234);
  });

  it('keeps sender-key state in the encrypted store', async () => {
    const distributionId = randomUUID();
    const aliceAddress = ProtocolAddress.new(alice.aci, 1);
    const skdm = await SenderKeyDistributionMessage.create(
      aliceAddress,
      distributionId,
      alice.stores.senderKeys,
    );
    await processSenderKeyDistributionMessage(
      aliceAddress,
      SenderKeyDistributionMessage.deserialize(skdm.serialize()),
      bob.stores.senderKeys,
    );
    const sealedGroup = await groupEncrypt(
      aliceAddress,
      distributionId,
      alice.stores.senderKeys,
      new TextEncoder().encode('group'),
    );
    bob.reopen();
    const plain = await groupDecrypt(aliceAddress, bob.stores.senderKeys, sealedGroup.serialize());
    expect(new TextDecoder().decode(plain)).toBe('group');
  });
});

describe('SignalCipher: sealed sender', () => {
  it('sends sealed both ways and learns the sender from the certificate', async () => {
    await alice.cipher.processPreKeyBundle(bob.aci, bob.nextBundle());
    const sealed = await alice.cipher.encrypt(bob.aci, 1, text('sealed hello'), {
      senderCertificate: await certFor(alice),
    });
    expect(sealed.type).toBe(EnvelopeType.UNIDENTIFIED_SENDER);
    const envelope = deliver(alice, bob, sealed);
    const r = await bob.cipher.decrypt(envelope);
    expect(bodyOf(r)).toBe('sealed hello');
    expect(r.kind === 'content' && r.sealed).toBe(true);
    expect(r.kind === 'content' && r.sender).toEqual({ serviceId: alice.aci, deviceId: 1 });

    const back = await bob.cipher.encrypt(alice.aci, 1, text('sealed reply'), {
      senderCertificate: await certFor(bob),
    });
    expect(bodyOf(await alice.cipher.decrypt(deliver(bob, alice, back)))).toBe('sealed reply');

    // A sealed duplicate is a duplicate too.
    const dup = await bob.cipher.decrypt(envelope);
    expect(dup.kind).toBe('duplicate');
  });

  it('rejects a sender certificate from an untrusted root or past its expiry', async () => {
    const lines: LogFields[] = [];
    setLogSink((_level, event, fields) => lines.push({ event, ...fields }), 'warn');
    const rogue = createTestPki();
    await alice.cipher.processPreKeyBundle(bob.aci, bob.nextBundle());
    const pair = await alice.stores.aci.identity.getIdentityKeyPair();
    const forged = await alice.cipher.encrypt(bob.aci, 1, text('forged'), {
      senderCertificate: rogue.senderCertificate(alice.aci, 1, pair.publicKey),
    });
    await expect(bob.cipher.decrypt(deliver(alice, bob, forged))).rejects.toThrow(DecryptionError);

    const expired = await alice.cipher.encrypt(bob.aci, 1, text('old'), {
      senderCertificate: pki.senderCertificate(alice.aci, 1, pair.publicKey, Date.now() - 1000),
    });
    await expect(bob.cipher.decrypt(deliver(alice, bob, expired))).rejects.toThrow(DecryptionError);
    expect(lines.filter((l) => l.event === 'signal.decrypt.failed' && l.sealed === true)).toHaveLength(2);
  });

  it('derives the unidentified-access key with libsignal (as sends do) as the mock server does', async () => {
    const mockCrypto = (await import('@signalapp/mock-server/src/crypto.js')) as unknown as {
      deriveAccessKey(profileKey: Uint8Array): Uint8Array;
    };
    const profileKey = new Uint8Array(32).map((_, i) => i * 7);
    expect(toBase64(new ProfileKey(profileKey).deriveAccessKey())).toBe(
      toBase64(mockCrypto.deriveAccessKey(profileKey)),
    );
  });
});

describe('SignalCipher: bad input', () => {
  it('turns garbage ciphertext into DecryptionError and logs no content', async () => {
    const lines: LogFields[] = [];
    setLogSink((_level, event, fields) => lines.push({ event, ...fields }), 'debug');
    await bob.cipher.decrypt(await aliceStarts('secret words'));
    const garbage = encodeEnvelope({
      type: EnvelopeType.CIPHERTEXT,
      sourceServiceId: alice.aci,
      sourceDevice: 1,
      destinationServiceId: bob.aci,
      clientTimestamp: 1,
      content: new Uint8Array(80).fill(0x33),
    });
    const error = await bob.cipher.decrypt(garbage).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvelopeDecryptionError);
    expect((error as EnvelopeDecryptionError).sender).toEqual({ serviceId: alice.aci, deviceId: 1 });
    const sealedGarbage = encodeEnvelope({
      type: EnvelopeType.UNIDENTIFIED_SENDER,
      destinationServiceId: bob.aci,
      content: new Uint8Array(200).fill(0x44),
    });
    await expect(bob.cipher.decrypt(sealedGarbage)).rejects.toThrow(DecryptionError);
    const prekeyGarbage = encodeEnvelope({
      ...{ type: EnvelopeType.PREKEY_BUNDLE, sourceServiceId: alice.aci, sourceDevice: 1 },
      content: new Uint8Array([3, 1, 2]),
    });
    await expect(bob.cipher.decrypt(prekeyGarbage)).rejects.toThrow(DecryptionError);
    expect(lines.some((l) => l.event === 'signal.decrypt.failed')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('secret words');

    // The session still works after the garbage.
    expect(
      bodyOf(
        await bob.cipher.decrypt(
          deliver(alice, bob, await alice.cipher.encrypt(bob.aci, 1, text('still here'))),
        ),
      ),
    ).toBe('still here');
  });

  it('turns garbage envelopes and bad content into ProtocolError', async () => {
    await expect(bob.cipher.decrypt(new Uint8Array([0xff, 0xff, 0xff]))).rejects.toThrow(ProtocolError);
    await expect(
      bob.cipher.decrypt(
        encodeEnvelope({ type: EnvelopeType.CIPHERTEXT, sourceDevice: 1, content: new Uint8Array([1]) }),
      ),
    ).rejects.toThrow(ProtocolError); // no source
    await expect(
      bob.cipher.decrypt(
        encodeEnvelope({ type: EnvelopeType.CIPHERTEXT, sourceServiceId: alice.aci, sourceDevice: 1 }),
      ),
    ).rejects.toThrow(ProtocolError); // no content
    await expect(
      bob.cipher.decrypt(
        encodeEnvelope({
          type: EnvelopeType.CIPHERTEXT,
          sourceServiceId: 'not-a-uuid',
          sourceDevice: 1,
          content: new Uint8Array([1]),
        }),
      ),
    ).rejects.toThrow(ProtocolError);
    await expect(
      bob.cipher.decrypt(
        encodeEnvelope({
          type: EnvelopeType.CIPHERTEXT,
          sourceServiceId: alice.aci,
          sourceDevice: 1,
          destinationServiceId: alice.aci,
          content: new Uint8Array([1]),
        }),
      ),
    ).rejects.toThrow(ProtocolError); // not addressed to us
    const receipt = await bob.cipher.decrypt(
      encodeEnvelope({
        type: EnvelopeType.SERVER_DELIVERY_RECEIPT,
        sourceServiceId: alice.aci,
        sourceDevice: 1,
        clientTimestamp: 5,
      }),
    );
    expect(receipt).toEqual({
      kind: 'server-receipt',
      sender: { serviceId: alice.aci, deviceId: 1 },
      timestamp: 5,
    });
    expect(() => parseTrustRoots(['%%%'])).toThrow();
  });

  it('refuses to encrypt without a session', async () => {
    await expect(alice.cipher.encrypt(bob.aci, 1, text('x'))).rejects.toThrow(ProtocolError);
    await expect(
      alice.cipher.processPreKeyBundle(bob.aci, { identityKey: 'AAAA', devices: [] }),
    ).rejects.toThrow(ProtocolError);
  });
});

describe('SignalCipher: identity changes', () => {
  it('detects a changed key from a bundle; a verified contact becomes unverified and sending needs approval', async () => {
    await bob.cipher.decrypt(await aliceStarts('hi'));
    const idStore = alice.stores.aci.identity;
    expect(idStore.setVerified(bob.aci, VerifiedStatus.Verified)).toBe(true);

    // Bob reinstalls: same ACI, new identity key.
    const bob2 = createParty(dir.path, 'bob2', [pki.trustRoot], 5, bob.aci);
    others.push(bob2);
    const events: string[] = [];
    idStore.onIdentityChange((e) => events.push(e.serviceId));
    await expect(alice.cipher.processPreKeyBundle(bob.aci, bob2.nextBundle())).rejects.toThrow(
      UntrustedIdentityError,
    );
    const identity = idStore.getRemoteIdentity(bob.aci);
    expect(identity?.verified).toBe(VerifiedStatus.Unverified);
    expect(identity?.needsApproval).toBe(true);
    expect(events).toEqual([bob.aci]);
    expect(idStore.pendingIdentityChanges().map((e) => [e.serviceId, e.wasVerified])).toEqual([
      [bob.aci, true],
    ]);
    await expect(alice.cipher.encrypt(bob.aci, 1, text('blocked'))).rejects.toThrow(UntrustedIdentityError);

    // Explicit confirmation, then the new session works.
    idStore.approveIdentity(bob.aci);
    await alice.cipher.processPreKeyBundle(bob.aci, bob2.nextBundle());
    expect(
      bodyOf(
        await bob2.cipher.decrypt(deliver(alice, bob2, await alice.cipher.encrypt(bob.aci, 1, text('ok')))),
      ),
    ).toBe('ok');
    idStore.consumeIdentityChanges(idStore.pendingIdentityChanges().map((e) => e.id));
    expect(idStore.pendingIdentityChanges()).toEqual([]);
  });

  it('detects a changed key on an incoming message without blocking receipt', async () => {
    await bob.cipher.decrypt(await aliceStarts('hi'));
    await alice.cipher.decrypt(deliver(bob, alice, await bob.cipher.encrypt(alice.aci, 1, text('hello'))));
    const idStore = bob.stores.aci.identity;
    idStore.setVerified(alice.aci, VerifiedStatus.Verified);

    const alice2 = createParty(dir.path, 'alice2', [pki.trustRoot], 5, alice.aci);
    others.push(alice2);
    await alice2.cipher.processPreKeyBundle(bob.aci, bob.nextBundle());
    const r = await bob.cipher.decrypt(
      deliver(alice2, bob, await alice2.cipher.encrypt(bob.aci, 1, text('new phone'))),
    );
    expect(bodyOf(r)).toBe('new phone');
    expect(idStore.getRemoteIdentity(alice.aci)?.verified).toBe(VerifiedStatus.Unverified);
    expect(idStore.pendingIdentityChanges()).toHaveLength(1);
    await expect(bob.cipher.encrypt(alice.aci, 1, text('reply'))).rejects.toThrow(UntrustedIdentityError);
  });

  it('an unverified contact changing keys records the event but does not block sending', async () => {
    await bob.cipher.decrypt(await aliceStarts('hi'));
    const bob2 = createParty(dir.path, 'bob3', [pki.trustRoot], 5, bob.aci);
    others.push(bob2);
    const result = await alice.cipher.processPreKeyBundle(bob.aci, bob2.nextBundle());
    expect(result.identity).toBe('changed');
    expect(alice.stores.aci.identity.getRemoteIdentity(bob.aci)?.verified).toBe(VerifiedStatus.Default);
    expect(
      bodyOf(
        await bob2.cipher.decrypt(deliver(alice, bob2, await alice.cipher.encrypt(bob.aci, 1, text('fine')))),
      ),
    ).toBe('fine');
  });
});

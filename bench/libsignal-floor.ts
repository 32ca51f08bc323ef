/**
 * libsignal's own cost of receiving a sealed-sender message, with nothing of ours around it: a sender
 * and a receiver in memory (plain Map stores, no vault, no network), the receiver opening each message
 * the way src/signal/cipher.ts does — the sealed-sender layer, then the session message. Timed in CPU
 * per message, with one X25519 agreement beside it (sealed sender needs two per message). It is the floor
 * under bench/backlog.bench.ts: no receive pipeline on one core can beat 1 s ÷ this.
 */
import type { SessionRecord } from '@signalapp/libsignal-client';
import {
  CiphertextMessageType,
  IdentityKeyPair,
  IdentityKeyStore,
  KEMKeyPair,
  KyberPreKeyRecord,
  KyberPreKeyStore,
  PreKeyBundle,
  PreKeyRecord,
  PreKeySignalMessage,
  PreKeyStore,
  PrivateKey,
  ProtocolAddress,
  SenderCertificate,
  ServerCertificate,
  SessionStore,
  SignalMessage,
  SignedPreKeyRecord,
  SignedPreKeyStore,
  processPreKeyBundle,
  sealedSenderDecryptToUsmc,
  sealedSenderEncryptMessage,
  signalDecrypt,
  signalDecryptPreKey,
  signalEncrypt,
  type IdentityChange,
  type PublicKey,
} from '@signalapp/libsignal-client';
import { randomUUID } from 'node:crypto';
import { cpuMs } from './receive-stages.js';

/** µs of CPU per message (and per X25519 agreement). */
export interface LibsignalFloor {
  /** Messages per round (best of the rounds). */
  readonly messages: number;
  /** First contact: every message a PreKey message (the sender has not heard from us), as in the bench. */
  readonly preKeyMessageUs: OpenCost;
  /** An established session (the sender has heard from us). */
  readonly sessionMessageUs: OpenCost;
  readonly x25519AgreementUs: number;
}

class MemoryParty {
  readonly identity = IdentityKeyPair.generate();
  readonly registrationId = 4242;
  readonly sessions = new Map<string, SessionRecord>();
  readonly identities = new Map<string, PublicKey>();
  readonly preKeys = new Map<number, PreKeyRecord>();
  readonly signedPreKeys = new Map<number, SignedPreKeyRecord>();
  readonly kyberPreKeys = new Map<number, KyberPreKeyRecord>();
  readonly sessionStore: SessionStore;
  readonly identityStore: IdentityKeyStore;
  readonly preKeyStore: PreKeyStore;
  readonly signedPreKeyStore: SignedPreKeyStore;
  readonly kyberPreKeyStore: KyberPreKeyStore;

  constructor() {
    const { sessions, identities, preKeys, signedPreKeys, kyberPreKeys, identity, registrationId } = this;
    this.sessionStore = new (class extends SessionStore {
      saveSession(address: ProtocolAddress, record: SessionRecord): Promise<void> {
        sessions.set(address.toString(), record);
        return Promise.resolve();
      }
      getSession(address: ProtocolAddress): Promise<SessionRecord | null> {
        return Promise.resolve(sessions.get(address.toString()) ?? null);
      }
      getExistingSessions(addresses: ProtocolAddress[]): Promise<SessionRecord[]> {
        return Promise.resolve(addresses.flatMap((a) => sessions.get(a.toString()) ?? []));
      }
    })();
    this.identityStore = new (class extends IdentityKeyStore {
      getIdentityKey(): Promise<PrivateKey> {
        return Promise.resolve(identity.privateKey);
      }
      // Stored, as a real store keeps it (libsignal's default derives the public key on every call).
      override getIdentityKeyPair(): Promise<IdentityKeyPair> {
        return Promise.resolve(identity);
      }
      getLocalRegistrationId(): Promise<number> {
        return Promise.resolve(registrationId);
      }
      saveIdentity(address: ProtocolAddress, key: PublicKey): Promise<IdentityChange> {
        const known = identities.get(address.name());
        identities.set(address.name(), key);
        // 0: new or unchanged; 1: replaced an existing key (libsignal's IdentityChange).
        return Promise.resolve((known && !known.equals(key) ? 1 : 0) as IdentityChange);
      }
      isTrustedIdentity(): Promise<boolean> {
        return Promise.resolve(true);
      }
      getIdentity(address: ProtocolAddress): Promise<PublicKey | null> {
        return Promise.resolve(identities.get(address.name()) ?? null);
      }
    })();
    this.preKeyStore = new (class extends PreKeyStore {
      savePreKey(id: number, record: PreKeyRecord): Promise<void> {
        preKeys.set(id, record);
        return Promise.resolve();
      }
      getPreKey(id: number): Promise<PreKeyRecord> {
        const record = preKeys.get(id);
        return record ? Promise.resolve(record) : Promise.reject(new Error('no such pre-key'));
      }
      removePreKey(id: number): Promise<void> {
        preKeys.delete(id);
        return Promise.resolve();
      }
    })();
    this.signedPreKeyStore = new (class extends SignedPreKeyStore {
      saveSignedPreKey(id: number, record: SignedPreKeyRecord): Promise<void> {
        signedPreKeys.set(id, record);
        return Promise.resolve();
      }
      getSignedPreKey(id: number): Promise<SignedPreKeyRecord> {
        const record = signedPreKeys.get(id);
        return record ? Promise.resolve(record) : Promise.reject(new Error('no such signed pre-key'));
      }
    })();
    this.kyberPreKeyStore = new (class extends KyberPreKeyStore {
      saveKyberPreKey(id: number, record: KyberPreKeyRecord): Promise<void> {
        kyberPreKeys.set(id, record);
        return Promise.resolve();
      }
      getKyberPreKey(id: number): Promise<KyberPreKeyRecord> {
        const record = kyberPreKeys.get(id);
        return record ? Promise.resolve(record) : Promise.reject(new Error('no such kyber pre-key'));
      }
      markKyberPreKeyUsed(): Promise<void> {
        return Promise.resolve();
      }
    })();
  }

  /** A pre-key bundle of this party (one-time, signed and Kyber pre-keys), its private parts kept. */
  bundle(): PreKeyBundle {
    const oneTime = PrivateKey.generate();
    this.preKeys.set(1, PreKeyRecord.new(1, oneTime.getPublicKey(), oneTime));
    const signed = PrivateKey.generate();
    const signedSignature = this.identity.privateKey.sign(signed.getPublicKey().serialize());
    this.signedPreKeys.set(
      2,
      SignedPreKeyRecord.new(2, Date.now(), signed.getPublicKey(), signed, signedSignature),
    );
    const kyber = KEMKeyPair.generate();
    const kyberSignature = this.identity.privateKey.sign(kyber.getPublicKey().serialize());
    this.kyberPreKeys.set(3, KyberPreKeyRecord.new(3, Date.now(), kyber, kyberSignature));
    return PreKeyBundle.new(
      this.registrationId,
      1,
      1,
      oneTime.getPublicKey(),
      2,
      signed.getPublicKey(),
      signedSignature,
      this.identity.publicKey,
      3,
      kyber.getPublicKey(),
      kyberSignature,
    );
  }
}

interface OpenCost {
  readonly unsealUs: number;
  readonly sessionUs: number;
}

/** A sender with a session to a receiver; `established`: the receiver has answered once. */
async function conversation(established: boolean) {
  const sender = new MemoryParty();
  const receiver = new MemoryParty();
  const senderAddress = ProtocolAddress.new(randomUUID(), 1);
  const receiverAddress = ProtocolAddress.new(randomUUID(), 1);
  await processPreKeyBundle(
    receiver.bundle(),
    receiverAddress,
    senderAddress,
    sender.sessionStore,
    sender.identityStore,
  );
  const trustRoot = PrivateKey.generate();
  const serverKey = PrivateKey.generate();
  const certificate = SenderCertificate.new(
    senderAddress.name(),
    null,
    1,
    sender.identity.publicKey,
    Date.now() + 86_400_000,
    ServerCertificate.new(1, serverKey.getPublicKey(), trustRoot),
    serverKey,
  );
  const plaintext = new Uint8Array(160).fill(7);

  const seal = async (count: number): Promise<Uint8Array<ArrayBuffer>[]> => {
    const sealed: Uint8Array<ArrayBuffer>[] = [];
    for (let i = 0; i < count; i += 1) {
      sealed.push(
        await sealedSenderEncryptMessage(
          plaintext,
          receiverAddress,
          certificate,
          sender.sessionStore,
          sender.identityStore,
        ),
      );
    }
    return sealed;
  };
  /** Opens each message as src/signal/cipher.ts does, timing the two layers in CPU. */
  const open = async (batch: readonly Uint8Array<ArrayBuffer>[]): Promise<OpenCost> => {
    let unseal = 0;
    let session = 0;
    for (const ciphertext of batch) {
      const start = cpuMs();
      const usmc = await sealedSenderDecryptToUsmc(ciphertext, receiver.identityStore);
      const unsealed = cpuMs();
      unseal += unsealed - start;
      if ((usmc.msgType() as CiphertextMessageType) === CiphertextMessageType.PreKey) {
        await signalDecryptPreKey(
          PreKeySignalMessage.deserialize(usmc.contents()),
          senderAddress,
          receiverAddress,
          receiver.sessionStore,
          receiver.identityStore,
          receiver.preKeyStore,
          receiver.signedPreKeyStore,
          receiver.kyberPreKeyStore,
        );
      } else {
        await signalDecrypt(
          SignalMessage.deserialize(usmc.contents()),
          senderAddress,
          receiverAddress,
          receiver.sessionStore,
          receiver.identityStore,
        );
      }
      session += cpuMs() - unsealed;
    }
    const us = (ms: number): number => Math.round((ms * 1000) / batch.length);
    return { unsealUs: us(unseal), sessionUs: us(session) };
  };

  await open(await seal(1)); // the receiver's session is set up by the first message
  if (established) {
    const reply = await signalEncrypt(
      plaintext,
      senderAddress,
      receiverAddress,
      receiver.sessionStore,
      receiver.identityStore,
    );
    await signalDecrypt(
      SignalMessage.deserialize(reply.serialize()),
      receiverAddress,
      senderAddress,
      sender.sessionStore,
      sender.identityStore,
    );
  }
  return { seal, open };
}

const cheaper = (a: OpenCost | undefined, b: OpenCost): OpenCost =>
  a && a.unsealUs + a.sessionUs <= b.unsealUs + b.sessionUs ? a : b;

/** Both kinds measured in alternating rounds, the cheaper round of each kept (load from elsewhere only adds). */
export async function measureLibsignalFloor(messages = 1_000, rounds = 3): Promise<LibsignalFloor> {
  const firstContact = await conversation(false);
  const established = await conversation(true);
  await firstContact.open(await firstContact.seal(100)); // warm-up
  let preKeyMessageUs: OpenCost | undefined;
  let sessionMessageUs: OpenCost | undefined;
  for (let round = 0; round < rounds; round += 1) {
    preKeyMessageUs = cheaper(preKeyMessageUs, await firstContact.open(await firstContact.seal(messages)));
    sessionMessageUs = cheaper(sessionMessageUs, await established.open(await established.seal(messages)));
  }

  const ours = PrivateKey.generate();
  const theirs = PrivateKey.generate().getPublicKey();
  const agreements = 2_000;
  const start = cpuMs();
  for (let i = 0; i < agreements; i += 1) ours.agree(theirs);
  const x25519AgreementUs = Math.round(((cpuMs() - start) * 1000) / agreements);
  return {
    messages,
    preKeyMessageUs: preKeyMessageUs!,
    sessionMessageUs: sessionMessageUs!,
    x25519AgreementUs,
  };
}

// The sealed-sender layer opened on a worker thread (./unseal-worker.ts) against the same step on this
// thread: same content, and every failure — a bad message, a worker that never started, a closed one —
// handled by the calling thread exactly as without the worker.
import { sealedSenderDecryptToUsmc } from '@signalapp/libsignal-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromBase64 } from './bytes.js';
import type { Content } from './proto/signal-service.js';
import { createTestPki, type TestPki } from './test-support/certificates.js';
import { createParty, type Party } from './test-support/party.js';
import { SealedSenderUnsealer } from './unseal-worker.js';
import { createTestDir, type TestDir } from '../test-support/files.js';

let dir: TestDir;
let pki: TestPki;
let alice: Party;
let bob: Party;
const open: SealedSenderUnsealer[] = [];

const text = (body: string): Content => ({ dataMessage: { body, timestamp: Date.now() } });

beforeEach(() => {
  dir = createTestDir();
  pki = createTestPki();
  alice = createParty(dir.path, 'alice', [pki.trustRoot]);
  bob = createParty(dir.path, 'bob', [pki.trustRoot]);
});

afterEach(async () => {
  for (const unsealer of open.splice(0)) await unsealer.close();
  alice.close();
  bob.close();
  dir.dispose();
});

/** `count` sealed messages from Alice to Bob: the ciphertexts of their envelopes. */
async function sealedToBob(count: number): Promise<Uint8Array<ArrayBuffer>[]> {
  await alice.cipher.processPreKeyBundle(bob.aci, bob.nextBundle());
  const pair = await alice.stores.aci.identity.getIdentityKeyPair();
  const senderCertificate = pki.senderCertificate(alice.aci, alice.deviceId, pair.publicKey);
  const out: Uint8Array<ArrayBuffer>[] = [];
  for (let i = 0; i < count; i += 1) {
    const message = await alice.cipher.encrypt(bob.aci, 1, text(`sealed ${i}`), { senderCertificate });
    out.push(fromBase64(message.content));
  }
  return out;
}

async function bobsUnsealer(
  libsignalPath?: string,
): Promise<{ unsealer: SealedSenderUnsealer; onThread: () => number }> {
  let fallbacks = 0;
  const identity = bob.stores.aci.identity;
  const unsealer = new SealedSenderUnsealer(
    await identity.getIdentityKeyPair(),
    (ciphertext) => {
      fallbacks += 1;
      return sealedSenderDecryptToUsmc(ciphertext, identity);
    },
    ...(libsignalPath ? [libsignalPath] : []),
  );
  open.push(unsealer);
  return { unsealer, onThread: () => fallbacks };
}

describe('SealedSenderUnsealer', () => {
  it('opens on the worker what this thread would open, many at once', async () => {
    const ciphertexts = await sealedToBob(20);
    const { unsealer, onThread } = await bobsUnsealer();
    const opened = await Promise.all(ciphertexts.map((c) => unsealer.unseal(c)));
    expect(onThread()).toBe(0);
    for (const [i, usmc] of opened.entries()) {
      const here = await sealedSenderDecryptToUsmc(ciphertexts[i]!, bob.stores.aci.identity);
      expect(Buffer.from(usmc.contents()).equals(Buffer.from(here.contents()))).toBe(true);
      expect(usmc.msgType()).toBe(here.msgType());
      expect(usmc.senderCertificate().senderUuid()).toBe(alice.aci);
    }
  });

  it('a message the worker cannot open fails on this thread with libsignal’s own error', async () => {
    const [good] = await sealedToBob(1);
    const bad = new Uint8Array(good!);
    bad[bad.length - 5]! ^= 0xff;
    const { unsealer, onThread } = await bobsUnsealer();
    const onWorker = unsealer.unseal(bad);
    const here = sealedSenderDecryptToUsmc(bad, bob.stores.aci.identity);
    const [a, b] = await Promise.allSettled([onWorker, here]);
    if (a.status !== 'rejected' || b.status !== 'rejected') throw new Error('both must fail');
    const kind = (reason: unknown): unknown => (reason as object).constructor;
    expect(kind(a.reason)).toBe(kind(b.reason));
    expect(onThread()).toBe(1);
  });

  it('a worker that cannot start leaves everything to this thread', async () => {
    const [sealed] = await sealedToBob(1);
    const { unsealer, onThread } = await bobsUnsealer('/nonexistent/libsignal.js');
    const usmc = await unsealer.unseal(sealed!);
    expect(usmc.senderCertificate().senderUuid()).toBe(alice.aci);
    expect(onThread()).toBe(1);
  });

  it('after close, and for what was waiting when it closed, this thread opens the message', async () => {
    const ciphertexts = await sealedToBob(10);
    const { unsealer, onThread } = await bobsUnsealer();
    const waiting = ciphertexts.map((c) => unsealer.unseal(c));
    await unsealer.close();
    const opened = await Promise.all(waiting);
    expect(opened.every((usmc) => usmc.senderCertificate().senderUuid() === alice.aci)).toBe(true);
    await unsealer.unseal(ciphertexts[0]!);
    expect(onThread()).toBeGreaterThanOrEqual(1);
  });
});

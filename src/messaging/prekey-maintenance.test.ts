/**
 * Prekey maintenance through the running client, on the demo network (real mock server, SQLCipher vault,
 * libsignal): one-time prekeys are topped up as contacts use them, signed and Kyber last-resort keys rotate
 * on Signal's schedule (an injected clock) and old ones go after the grace period.
 */
import { ServiceIdKind } from '@signalapp/mock-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SerialQueue } from '../async/serial-queue.js';
import { ServerError } from '../errors.js';
import { openChatConnection } from '../net/chat-connection.js';
import { directSocketOpener } from '../net/direct-opener.js';
import { SignalProtocolStores } from '../signal/stores/index.js';
import type { MessagingClient } from './client.js';
import type { ChatRequester } from './delivery.js';
import { maintainPreKeys } from './prekey-maintenance.js';
import { createHarness, type Harness } from './test-support/harness.js';

const DAY = 24 * 60 * 60 * 1000;

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('prekey maintenance (demo network)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('keeps handing new contacts one-time prekeys after more sessions than the initial batch', async () => {
    // The harness registers 20 one-time keys per identity; the client tops up below 10.
    const client = await h.startClient({ preKeys: { batchSize: 12 } });
    const initial = await h.device.getPreKeyCount(ServiceIdKind.ACI);
    expect(initial).toBe(20);
    for (let i = 0; i < 30; i += 1) {
      const contact = await h.contact(`Contact ${i}`);
      const bundle = await h.device.popSingleUseKey(ServiceIdKind.ACI);
      expect(bundle.preKey, `contact ${i} got a one-time prekey`).toBeDefined();
      await contact.device.addSingleUseKey(h.device, bundle);
      await contact.device.sendText(h.device, `hello ${i}`, { sealed: false, withProfileKey: true });
      await until(`message ${i}`, () => received(client, contact.aci));
    }
    await until('a topped-up server', async () => (await h.device.getPreKeyCount(ServiceIdKind.ACI)) >= 10);
    expect(await h.device.getKyberPreKeyCount(ServiceIdKind.ACI)).toBeGreaterThanOrEqual(10);
  });

  it('tops up when the server runs low: nothing while stocked, then a batch that replaces what is left', async () => {
    const { request, stores, close } = await rawRequester(h);
    const queue = new SerialQueue();
    try {
      expect(await maintainPreKeys(request, stores, queue)).toEqual({ aci: 0, pni: 0 });
      // Contacts consume keys until fewer than the minimum (10) remain.
      for (let i = 0; i < 11; i += 1) await h.device.popSingleUseKey(ServiceIdKind.ACI);
      expect(await h.device.getPreKeyCount(ServiceIdKind.ACI)).toBe(9);
      expect(await maintainPreKeys(request, stores, queue, { batchSize: 15 })).toEqual({ aci: 15, pni: 0 });
      // An upload replaces the server's one-time keys with the new batch (as Signal's server does).
      expect(await h.device.getPreKeyCount(ServiceIdKind.ACI)).toBe(15);
      expect(await h.device.getKyberPreKeyCount(ServiceIdKind.ACI)).toBe(15);
    } finally {
      await close();
    }
  });

  it('rotates again when the upload of a rotation failed (the new key looks fresh, the server has the old)', async () => {
    const { request, stores, close } = await rawRequester(h);
    const queue = new SerialQueue();
    const registered = serverSignedKeyId(h);
    let failUploads = true;
    const flaky: ChatRequester = (req) =>
      failUploads && req.verb === 'PUT' ? Promise.resolve({ status: 503 }) : request(req);
    const rotationPending = new Set<'aci' | 'pni'>();
    const later = Date.now() + 2 * DAY;
    try {
      await expect(maintainPreKeys(flaky, stores, queue, { now: later, rotationPending })).rejects.toThrow(
        ServerError,
      );
      expect(rotationPending.has('aci')).toBe(true);
      expect(serverSignedKeyId(h)).toBe(registered);
      failUploads = false;
      await maintainPreKeys(flaky, stores, queue, { now: later + 1000, rotationPending });
      expect(serverSignedKeyId(h)).toBe(stores.aci.signedPreKeys.newest()?.id);
      expect(serverSignedKeyId(h)).not.toBe(registered);
      expect(rotationPending.size).toBe(0);
    } finally {
      await close();
    }
  });

  it('rotates the signed and last-resort prekeys on the clock and prunes old ones after the grace period', async () => {
    const registered = serverSignedKeyId(h);
    const localSigned = (): number[] =>
      (
        h.vault.db.prepare("SELECT id FROM signal_signed_prekeys WHERE kind = 'aci'").all() as {
          id: number;
        }[]
      ).map((row) => row.id);
    let now = Date.now();
    const seen: number[] = [registered];
    for (const step of [2 * DAY, 2 * DAY, 2 * DAY, 40 * DAY]) {
      now += step;
      const at = now;
      const client = await h.startClient({ clock: () => at, preKeys: { minimum: 2, batchSize: 5 } });
      // Both identities rotate, ACI then PNI: wait for the PNI upload to reach the server.
      await until('rotated signed prekeys on the server', () => {
        const aci = client.stores.aci.signedPreKeys.newest();
        const pni = client.stores.pni.signedPreKeys.newest();
        return (
          aci?.createdAt === at &&
          serverSignedKeyId(h) === aci.id &&
          pni?.createdAt === at &&
          serverSignedKeyId(h, ServiceIdKind.PNI) === pni.id
        );
      });
      expect(client.stores.pni.kyberPreKeys.newestLastResort()?.createdAt).toBe(at);
      seen.push(serverSignedKeyId(h));
      // A rotation upload replaces the server's one-time keys: it carries a fresh batch.
      expect(await h.device.getPreKeyCount(ServiceIdKind.ACI)).toBe(5);
      if (step === 40 * DAY) {
        // Everything older than 30 days goes, except the newest three (late messages still use them).
        expect(localSigned().sort()).toEqual(seen.slice(-3).sort());
      } else {
        expect(localSigned()).toContain(registered);
      }
      await client.stop();
    }
    expect(new Set(seen).size).toBe(5);
  });
});

/** Requests over a plain authenticated chat socket of our account, and the account's stores. */
async function rawRequester(
  h: Harness,
): Promise<{ request: ChatRequester; stores: SignalProtocolStores; close: () => Promise<void> }> {
  const stores = new SignalProtocolStores(h.vault.db);
  const connection = await openChatConnection({
    endpoint: h.network.config.chat,
    trustRootsPem: h.network.config.tlsTrustRootsPem,
    openSocket: directSocketOpener,
    auth: { username: `${h.account.aci}.1`, password: h.account.password },
    keepaliveIntervalMs: 0,
    onRequest: () => Promise.resolve(500),
  });
  const request: ChatRequester = async (req) => {
    const headers = Object.entries(req.headers ?? {}).map(([k, v]) => `${k}:${v}`);
    const response = await connection.request({ ...req, headers });
    return { status: response.status, ...(response.body ? { body: response.body } : {}) };
  };
  const close = async (): Promise<void> => {
    await connection.close();
    stores.dispose();
  };
  return { request, stores, close };
}

function received(client: MessagingClient, aci: string): boolean {
  const conversation = client.store.findConversationByServiceId(aci);
  return (
    !!conversation &&
    client.store.page(conversation.id, { limit: 5 }).messages.some((m) => m.kind === 'message')
  );
}

/** The signed prekey the mock server holds for our device (read without popping a one-time key). */
function serverSignedKeyId(h: Harness, kind = ServiceIdKind.ACI): number {
  const keys = (h.device as unknown as { keys: Map<ServiceIdKind, { signedPreKey: { keyId: number } }> })
    .keys;
  const held = keys.get(kind);
  if (!held) throw new Error(`the mock server holds no ${kind} keys for our device`);
  return held.signedPreKey.keyId;
}

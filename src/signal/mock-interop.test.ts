/**
 * Interop: our cipher against the simulated phones of @signalapp/mock-server 27 (their own libsignal
 * code and protobufs). The account is registered for real over TLS on the demo network; the envelopes
 * are then handed across in-process (delivery over the chat socket is the messaging layer's test).
 */
import { join } from 'node:path';
import { Aci } from '@signalapp/libsignal-client';
import { ServiceIdKind } from '@signalapp/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDemoAccount } from '../demo/test-support/register-demo-account.js';
import { startDemoNetwork, type DemoContact, type DemoNetwork } from '../demo/network.js';
import type { RegisteredAccount } from '../account/registration.js';
import type { SqlDatabase } from '../vault/sql.js';
import { fromBase64 } from './bytes.js';
import { parseTrustRoots, SignalCipher } from './test-support/signal-cipher.js';
import { encodeEnvelope, EnvelopeType } from './proto/signal-service.js';
import { replenishPreKeys } from './keys.js';
import { safetyNumberFor } from './safety-number.js';
import { SignalProtocolStores } from './stores/index.js';
import { openTestDb } from '../test-support/db.js';
import { createTestDir, type TestDir } from '../test-support/files.js';

let network: DemoNetwork;
let dir: TestDir;
let db: SqlDatabase;
let stores: SignalProtocolStores;
let account: RegisteredAccount;
let cipher: SignalCipher;
let phone: DemoContact;

type MockDevice = Awaited<ReturnType<DemoNetwork['server']['getDeviceByServiceId']>>;
let ourDevice: NonNullable<MockDevice>;

beforeAll(async () => {
  dir = createTestDir();
  network = await startDemoNetwork();
  db = openTestDb(join(dir.path, 'vault.db'));
  stores = new SignalProtocolStores(db);
  account = await registerDemoAccount(network, stores, { oneTimePreKeyCount: 5 });
  cipher = new SignalCipher(stores, {
    deviceId: account.deviceId,
    trustRoots: parseTrustRoots(network.config.unidentifiedDeliveryTrustRoots),
  });
  phone = await network.createContact('Phone');
  const device = await network.server.getDeviceByServiceId(account.aci as never, account.deviceId);
  if (!device) throw new Error('registered device not found on the mock server');
  ourDevice = device;
  // The phone fetches our prekey bundle, as it would from GET /v2/keys.
  await phone.device.addSingleUseKey(ourDevice, await ourDevice.popSingleUseKey());
}, 60_000);

afterAll(async () => {
  await network?.close();
  stores?.dispose();
  if (db?.open) db.close();
  dir?.dispose();
});

describe('interop with the mock server simulated phone', () => {
  it('decrypts the phone’s sealed-sender prekey message and a following unsealed one', async () => {
    // Registration uploaded 5 one-time EC and Kyber prekeys; the phone's bundle used one of each.
    expect(stores.aci.preKeys.count()).toBe(5);
    expect(stores.aci.kyberPreKeys.countOneTime()).toBe(5);
    const sealed = await phone.device.encryptText(ourDevice, 'sealed from the phone', { sealed: true });
    const r1 = await cipher.decrypt(new Uint8Array(sealed));
    expect(r1.kind).toBe('content');
    if (r1.kind !== 'content') return;
    expect(r1.content.dataMessage?.body).toBe('sealed from the phone');
    expect(r1.sealed).toBe(true);
    expect(r1.sender.serviceId).toBe(phone.aci);
    expect(stores.aci.preKeys.count()).toBe(4);
    expect(stores.aci.kyberPreKeys.countOneTime()).toBe(4);

    const plain = await phone.device.encryptText(ourDevice, 'unsealed from the phone');
    const r2 = await cipher.decrypt(new Uint8Array(plain));
    expect(r2.kind === 'content' && r2.content.dataMessage?.body).toBe('unsealed from the phone');
    expect((await cipher.decrypt(new Uint8Array(plain))).kind).toBe('duplicate');
  });

  it('sends to the phone sealed (with the server-issued sender certificate) and unsealed', async () => {
    const certificate = await network.server.getSenderCertificate(ourDevice);
    const destination = Aci.parseFromServiceIdString(phone.aci).getServiceIdBinary();
    const sealed = await cipher.encrypt(
      phone.aci,
      phone.device.device.deviceId,
      { dataMessage: { body: 'sealed from carapace', timestamp: Date.now() } },
      { senderCertificate: certificate.serialize() },
    );
    expect(sealed.type).toBe(EnvelopeType.UNIDENTIFIED_SENDER);
    const now = Date.now();
    await phone.device.receive(
      ourDevice,
      Buffer.from(
        encodeEnvelope({
          type: sealed.type,
          destinationServiceIdBinary: destination,
          clientTimestamp: now,
          serverTimestamp: now,
          content: fromBase64(sealed.content),
        }),
      ),
    );
    expect((await phone.device.waitForMessage()).body).toBe('sealed from carapace');

    const plain = await cipher.encrypt(phone.aci, phone.device.device.deviceId, {
      dataMessage: { body: 'unsealed from carapace', timestamp: Date.now() },
    });
    expect(plain.type).toBe(EnvelopeType.CIPHERTEXT);
    await phone.device.receive(
      ourDevice,
      Buffer.from(
        encodeEnvelope({
          type: plain.type,
          sourceServiceIdBinary: Aci.parseFromServiceIdString(account.aci).getServiceIdBinary(),
          sourceDevice: account.deviceId,
          destinationServiceIdBinary: destination,
          clientTimestamp: now,
          serverTimestamp: now,
          content: fromBase64(plain.content),
        }),
      ),
    );
    expect((await phone.device.waitForMessage()).body).toBe('unsealed from carapace');
  });

  it('replenishes prekeys in the JSON shape the server decodes, and a new contact can use them', async () => {
    const counts = {
      count: await ourDevice.getPreKeyCount(ServiceIdKind.ACI),
      pqCount: await ourDevice.getKyberPreKeyCount(ServiceIdKind.ACI),
    };
    const upload = replenishPreKeys(stores, 'aci', counts, { minimum: 100, batchSize: 10 });
    expect(upload?.preKeys).toHaveLength(10);
    // Decode with the mock server's own /v2/keys decoders, as its PUT handler does.
    const mockCrypto = (await import('@signalapp/mock-server/src/crypto.js')) as unknown as {
      decodePreKey(json: unknown): never;
      decodeKyberPreKey(json: unknown): never;
    };
    await network.server.updateDeviceKeys(ourDevice, ServiceIdKind.ACI, {
      preKeys: upload?.preKeys.map((k) => mockCrypto.decodePreKey(k)),
      kyberPreKeys: upload?.pqPreKeys.map((k) => mockCrypto.decodeKyberPreKey(k)),
    } as unknown as Parameters<DemoNetwork['server']['updateDeviceKeys']>[2]); // the server adds identityKey
    expect(await ourDevice.getPreKeyCount(ServiceIdKind.ACI)).toBe(10);
    const before = stores.aci.preKeys.count();
    const friend = await network.createContact('Friend');
    await friend.device.addSingleUseKey(ourDevice, await ourDevice.popSingleUseKey());
    const r = await cipher.decrypt(
      new Uint8Array(await friend.device.encryptText(ourDevice, 'hi, new keys')),
    );
    expect(r.kind === 'content' && r.content.dataMessage?.body).toBe('hi, new keys');
    expect(stores.aci.preKeys.count()).toBe(before - 1);
  });

  it('computes a 60-digit safety number with the phone', () => {
    expect(safetyNumberFor(stores, phone.aci).digits).toMatch(/^\d{60}$/);
  });
});

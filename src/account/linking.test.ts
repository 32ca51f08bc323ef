import { PrivateKey } from '@signalapp/libsignal-client';
import { ServiceIdKind } from '@signalapp/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecryptionError, NetworkError } from '../errors.js';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import { directSocketOpener } from '../net/direct-opener.js';
import { openChatConnection } from '../net/chat-connection.js';
import { SignalProtocolStores } from '../signal/stores.js';
import { openTestDb, tempDir, type TempDir } from '../signal/test-support/db.js';
import { decryptProvisionEnvelope, encryptProvisionMessageForTest, linkSecondaryDevice } from './linking.js';
import { encodeProvisionMessage } from './provisioning-proto.js';

describe('linking as a secondary device (real mock server over TLS)', () => {
  let network: DemoNetwork;
  let dir: TempDir;
  beforeAll(async () => {
    network = await startDemoNetwork();
    dir = tempDir('carapace-linking-');
  });
  afterAll(async () => {
    await network.close();
    dir.cleanup();
  });

  it('links to a simulated phone via the provisioning QR flow', async () => {
    const phone = await network.createContact('Phone');
    const stores = new SignalProtocolStores(openTestDb(`${dir.path}/linked.db`));
    const urls: string[] = [];
    const linking = linkSecondaryDevice({
      config: network.config,
      openSocket: directSocketOpener,
      stores,
      deviceName: 'Carapace test',
      oneTimePreKeyCount: 5,
      onProvisioningUrl: (url) => urls.push(url),
    });
    // The phone "scans" the QR code.
    const pending = await network.server.waitForProvision();
    await new Promise<void>((resolve) => {
      const wait = (): void => (urls.length > 0 ? resolve() : void setTimeout(wait, 10));
      wait();
    });
    expect(urls[0]).toMatch(/^sgnl:\/\/linkdevice\?uuid=[^&]+&pub_key=/);
    const completed = pending.complete({ provisionURL: urls[0]!, primaryDevice: phone.device });
    const account = await linking;
    const device = await completed;

    expect(account.aci).toBe(phone.aci);
    expect(account.deviceId).toBe(2);
    expect(device.deviceId).toBe(2);
    expect(account.profileKey?.length).toBe(32);
    // The vault holds the account's identity key (the phone's).
    expect(Buffer.from(stores.aci.identity.localKeyPair().publicKey.serialize())).toEqual(
      Buffer.from(phone.device.getPublicKey(ServiceIdKind.ACI).serialize()),
    );
    // The new device logs in.
    const connection = await openChatConnection({
      endpoint: network.config.chat,
      trustRootsPem: network.config.tlsTrustRootsPem,
      openSocket: directSocketOpener,
      auth: { username: `${account.aci}.${account.deviceId}`, password: account.password },
      keepaliveIntervalMs: 0,
    });
    const whoami = (await connection.requestJson({ verb: 'GET', path: '/v1/accounts/whoami' })) as {
      uuid: string;
    };
    expect(whoami.uuid).toBe(phone.aci);
    await connection.close();
  });

  it('gives up with a NetworkError when the phone never scans', async () => {
    const stores = new SignalProtocolStores(openTestDb(`${dir.path}/timeout.db`));
    await expect(
      linkSecondaryDevice({
        config: network.config,
        openSocket: directSocketOpener,
        stores,
        timeoutMs: 200,
        onProvisioningUrl: () => undefined,
      }),
    ).rejects.toBeInstanceOf(NetworkError);
  });

  it('rejects a provisioning envelope for another key or with a flipped bit', () => {
    const ours = PrivateKey.generate();
    const plain = encodeProvisionMessage({ provisioningCode: 'abc', number: '+15550000000' });
    const envelope = encryptProvisionMessageForTest(plain, ours.getPublicKey());
    expect(decryptProvisionEnvelope(envelope, ours).provisioningCode).toBe('abc');
    expect(() => decryptProvisionEnvelope(envelope, PrivateKey.generate())).toThrow(DecryptionError);
    const tampered = Buffer.from(envelope.body);
    tampered[20] = tampered[20]! ^ 1;
    expect(() => decryptProvisionEnvelope({ ...envelope, body: tampered }, ours)).toThrow(DecryptionError);
    expect(() => decryptProvisionEnvelope({ ...envelope, body: tampered.subarray(0, 10) }, ours)).toThrow(
      DecryptionError,
    );
  });
});

/**
 * Issue 16 on the REAL demo network: our profile name is encrypted with our profile key and uploaded with
 * its commitment, and another Carapace profile that got our key shows it as the chat's title; a simulated
 * phone's name shows here once it shares its key; a rename is picked up at the next refresh; a profile that
 * cannot be read leaves the name unknown and breaks nothing.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountKv } from '../account/account-kv.js';
import { decryptProfileName } from '../account/profile-crypto.js';
import { startDemoNetwork, type DemoContact, type DemoNetwork } from '../demo/network.js';
import { TEST_KDF } from '../test-support/vault.js';
import { Vault } from '../vault/index.js';
import type { CoreService } from './service.js';
import { createTestCore, registerThroughService, type TestCore } from './test-support/core.js';
import { nextEvent, value } from './test-support/events.js';

const PASS = 'profiles test passphrase 16';
const HOURS = 60 * 60 * 1000;

/** As the mock's simulated phones encrypt a name (AES-GCM under their profile key, unpadded). */
function encryptName(contact: DemoContact, plain: Buffer): Buffer<ArrayBuffer> {
  const nonce = randomBytes(12);
  // The mock's own libsignal copy types its key; only its bytes matter here.
  const key = (contact.device.profileKey as unknown as { serialize(): Uint8Array }).serialize();
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  return Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

describe('profile names on the demo network', () => {
  let network: DemoNetwork;
  let a: TestCore;
  let b: TestCore;
  let aliceAci = '';
  let bobAci = '';
  let offset = 0;
  /** Every profile fetch the server saw: whose, and whether it came with a login. */
  const profileFetches: Array<{ serviceId: string; withLogin: boolean }> = [];

  async function register(service: CoreService, e164: string): Promise<string> {
    await value(service.call('vault.create', { passphrase: PASS }));
    return (await registerThroughService(service, e164)).aci ?? '';
  }

  /** Sends `body` to `serviceId` from `service`; resolves with the conversation id. */
  async function send(service: CoreService, serviceId: string, body: string): Promise<string> {
    const conversation = await value(service.call('conversations.start', { serviceId }));
    await value(service.call('messages.send', { conversationId: conversation.id, body }));
    return conversation.id;
  }

  beforeAll(async () => {
    network = await startDemoNetwork();
    const intercept = network.server.interceptRequest.bind(network.server);
    network.server.interceptRequest = (device, request) => {
      const match = request.verb === 'GET' ? /^\/v1\/profile\/([^/]+)\//.exec(request.path ?? '') : null;
      if (match?.[1]) profileFetches.push({ serviceId: match[1], withLogin: device !== undefined });
      return intercept(device, request);
    };
    a = createTestCore({ networkConfig: network.config, clock: () => Date.now() + offset });
    b = createTestCore({ networkConfig: network.config });
    aliceAci = await register(a.service, '+15550016101');
    bobAci = await register(b.service, '+15550016102');
  });

  afterAll(async () => {
    await a?.dispose();
    await b?.dispose();
    await network?.close();
  });

  it('our name, set here, is the title the other Carapace profile shows once it has our key', async () => {
    const details = await value(
      a.service.call('profile.set', { givenName: 'Alice', familyName: 'Example', about: 'hi there' }),
    );
    expect(details.profile).toEqual({ givenName: 'Alice', familyName: 'Example', about: 'hi there' });
    // The server holds only ciphertext, padded to Signal's 53 bytes (+ nonce and tag).
    const stored = (await network.server.getDeviceByServiceId(aliceAci as never))?.profileName;
    expect(stored).toHaveLength(12 + 53 + 16);
    expect(stored?.includes(Buffer.from('Alice'))).toBe(false);

    const titled = nextEvent(
      b.service,
      'conversation.updated',
      (p) => p.conversation.title === 'Alice Example',
    );
    await send(a.service, bobAci, 'hello from Alice');
    const { conversation } = await titled;
    expect(conversation.serviceId).toBe(aliceAci);
    // Fetched with Alice's access key on the unauthenticated socket: the server does not learn who asked.
    expect(profileFetches.filter((f) => f.serviceId === aliceAci)).toEqual([
      { serviceId: aliceAci, withLogin: false },
    ]);
  });

  it("a simulated phone's name shows here once it shares its key; a rename shows at the next refresh", async () => {
    const echo = await network.createContact('Echo Sixteen', { echo: true });
    const start = await value(a.service.call('conversations.start', { serviceId: echo.aci }));
    expect(start.title).toBe('Unknown contact');
    const titled = nextEvent(
      a.service,
      'conversation.updated',
      (p) => p.conversation.title === 'Echo Sixteen',
    );
    await value(a.service.call('messages.send', { conversationId: start.id, body: 'ping' }));
    await titled;

    // Renamed on their phone: same key, so nothing is fetched until the refresh time has passed.
    const device = await network.server.getDeviceByServiceId(echo.aci as never);
    if (!device) throw new Error('no echo device');
    device.profileName = encryptName(echo, Buffer.from('Echo Renamed'));
    offset += 7 * HOURS;
    const renamed = nextEvent(
      a.service,
      'conversation.updated',
      (p) => p.conversation.title === 'Echo Renamed',
    );
    await value(a.service.call('messages.send', { conversationId: start.id, body: 'ping again' }));
    await renamed;
  });

  it('a profile that cannot be read (garbage, not UTF-8) leaves the name unknown and the chat working', async () => {
    for (const [name, plain] of [
      ['Garbled', randomBytes(40)],
      ['Not UTF8', Buffer.from([0x41, 0xff, 0xfe, 0x42])],
    ] as const) {
      const contact = await network.createContact(name, { echo: true });
      const device = await network.server.getDeviceByServiceId(contact.aci as never);
      if (!device) throw new Error('no device');
      device.profileName = name === 'Garbled' ? Buffer.from(plain) : encryptName(contact, plain);
      const start = await value(a.service.call('conversations.start', { serviceId: contact.aci }));
      const reply = nextEvent(a.service, 'message.added', (p) => p.message.body === 'Echo: are you there');
      await value(a.service.call('messages.send', { conversationId: start.id, body: 'are you there' }));
      await reply;
      await new Promise((resolve) => setTimeout(resolve, 500)); // the background fetch has answered
      const list = await value(a.service.call('conversations.list', {}));
      expect(list.find((c) => c.id === start.id)?.title).toBe('Unknown contact');
    }
  });

  it('too long for Signal’s padded sizes → INVALID_INPUT naming the field; nothing uploaded or saved', async () => {
    const before = (await network.server.getDeviceByServiceId(aliceAci as never))?.profileName;
    const result = await a.service.call('profile.set', { givenName: 'é'.repeat(128), familyName: 'Long' });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', fields: ['familyName'] } });
    expect((await network.server.getDeviceByServiceId(aliceAci as never))?.profileName).toEqual(before);
    expect((await value(a.service.call('account.details', {}))).profile.givenName).toBe('Alice');
  });

  it('a key rotation keeps our name on the server; the contact refetches on the new key', async () => {
    const stale = await network.createContact('Stale Contact');
    const staleChat = await value(a.service.call('conversations.start', { serviceId: stale.aci }));
    await value(
      a.service.call('conversations.removeContact', { conversationId: staleChat.id, deleteHistory: true }),
    );
    // Our rotated key, read from the vault file itself while locked.
    await value(a.service.call('vault.lock', {}));
    const vault = new Vault(a.profile.dir, { kdf: TEST_KDF });
    await vault.unlock(Buffer.from(PASS));
    const key = Buffer.from(new AccountKv(vault.db).getBlob('api.profileKey') ?? Buffer.alloc(0));
    vault.lock('user');
    const online = nextEvent(a.service, 'network.status', (p) => p.status === 'online');
    await value(a.service.call('vault.unlock', { passphrase: PASS }));
    await online;
    const stored = (await network.server.getDeviceByServiceId(aliceAci as never))?.profileName;
    expect(decryptProfileName(stored ?? Buffer.alloc(0), key)).toEqual({
      ok: true,
      value: { givenName: 'Alice', familyName: 'Example' },
    });
    key.fill(0);

    await value(a.service.call('profile.set', { givenName: 'Alicia', familyName: 'Example' }));
    const retitled = nextEvent(
      b.service,
      'conversation.updated',
      (p) => p.conversation.title === 'Alicia Example',
    );
    await send(a.service, bobAci, 'new key, new name');
    await retitled;
  });

  it('phone-number privacy: sharing is uploaded in the profile; findability waits for the next registration', async () => {
    const shared = await value(a.service.call('privacy.setPhoneNumberSharing', { sharing: 'everybody' }));
    expect(shared.privacy).toMatchObject({
      phoneNumberSharing: 'everybody',
      discoverableByPhoneNumber: false,
    });
    const findable = await value(a.service.call('privacy.setDiscoverable', { discoverable: true }));
    expect(findable.privacy).toEqual({
      phoneNumberSharing: 'everybody',
      discoverableByPhoneNumber: true,
      discoverabilityApplies: 'next-registration',
    });
    // The name survived both uploads.
    expect(findable.profile.givenName).toBe('Alicia');
  });
});

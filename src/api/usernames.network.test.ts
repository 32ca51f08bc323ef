/**
 * Issue 16 on the REAL demo network (mock-server over TLS, its gRPC account routes): two Carapace
 * profiles and a simulated phone find each other by username and by username link; the mock verifies
 * the zero-knowledge proof of every confirm; reset and delete take effect; hostile input is typed.
 */
import { usernames } from '@signalapp/libsignal-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import type { AccountDetails } from './contract.js';
import type { CoreService } from './service.js';
import { createTestCore, registerThroughService, type TestCore } from './test-support/core.js';
import { value } from './test-support/events.js';

const PASS = 'usernames test passphrase 16';

describe('usernames and username links on the demo network', () => {
  let network: DemoNetwork;
  let a: TestCore;
  let b: TestCore;
  let aliceAci: string;

  async function start(service: CoreService, e164: string): Promise<string> {
    await value(service.call('vault.create', { passphrase: PASS }));
    const status = await registerThroughService(service, e164);
    return status.aci ?? '';
  }

  beforeAll(async () => {
    network = await startDemoNetwork();
    a = createTestCore({ networkConfig: network.config });
    b = createTestCore({ networkConfig: network.config });
    aliceAci = await start(a.service, '+15550016001');
    await start(b.service, '+15550016002');
  });

  afterAll(async () => {
    await a?.dispose();
    await b?.dispose();
    await network?.close();
  });

  it('reserve → confirm (proof verified by the mock) → the other profile finds it by name and by link', async () => {
    const reserved = await value(a.service.call('username.reserve', { nickname: 'alice_sixteen' }));
    expect(reserved.username).toBe(`alice_sixteen.${reserved.discriminator}`);
    let details: AccountDetails = await value(
      a.service.call('username.confirm', { username: reserved.username }),
    );
    expect(details).toMatchObject({ username: reserved.username, aci: aliceAci });
    // A repeated confirm (a double click, or the first answer lost) is recognised as ours: a fresh link.
    const again = await value(a.service.call('username.confirm', { username: reserved.username }));
    expect(again.username).toBe(reserved.username);
    expect(again.usernameLink).not.toBe(details.usernameLink);
    details = again;
    expect(details.usernameLink).toMatch(/^https:\/\/signal\.me\/#eu\/[A-Za-z0-9_-]{64}$/);
    // The server holds only the hash; the mock checked the proof before it confirmed.
    expect(await network.server.lookupByUsername(reserved.username)).toBe(aliceAci);

    const byName = await value(b.service.call('conversations.start', { username: reserved.username }));
    expect(byName.serviceId).toBe(aliceAci);
    const byLink = await value(
      b.service.call('conversations.start', { usernameLink: details.usernameLink ?? '' }),
    );
    expect(byLink.id).toBe(byName.id);
    // The other way round: a contact holding only our link (as Signal's apps do it with libsignal)
    // finds the handle's ciphertext on the server and decrypts our username with the link's entropy.
    const bytes = Buffer.from(
      (details.usernameLink ?? '').slice('https://signal.me/#eu/'.length),
      'base64url',
    );
    const hex = bytes.subarray(32).toString('hex');
    const handle = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    const ciphertext = await network.server.lookupByUsernameLink(handle);
    expect(
      usernames.decryptUsernameLink({
        entropy: Buffer.from(bytes.subarray(0, 32)),
        encryptedUsername: Buffer.from(ciphertext ?? []),
      }),
    ).toBe(reserved.username);
    // Survives in the vault: the details read back the same.
    expect(await value(a.service.call('account.details', {}))).toMatchObject({
      username: reserved.username,
      usernameLink: details.usernameLink,
    });
  });

  it('a taken username is INVALID_INPUT naming the field; confirming one not reserved is PRECONDITION', async () => {
    const mine = (await value(a.service.call('account.details', {}))).username ?? '';
    const [nickname = '', discriminator = ''] = mine.split('.');
    const taken = await b.service.call('username.reserve', { nickname, discriminator });
    expect(taken).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', fields: ['discriminator'] } });
    expect(!taken.ok && taken.error.message).toMatch(/taken/);
    expect(await b.service.call('username.confirm', { username: 'bob_sixteen.55' })).toMatchObject({
      ok: false,
      error: { code: 'PRECONDITION' },
    });
  });

  it('link reset: the old link is NOT_FOUND, the new one works', async () => {
    const old = (await value(a.service.call('account.details', {}))).usernameLink ?? '';
    const { url } = await value(a.service.call('usernameLink.reset', {}));
    expect(url).not.toBe(old);
    expect(await b.service.call('conversations.start', { usernameLink: old })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect((await value(b.service.call('conversations.start', { usernameLink: url }))).serviceId).toBe(
      aliceAci,
    );
    expect(await value(a.service.call('usernameLink.create', {}))).toEqual({ url });
  });

  it("finds a simulated phone's username (set on the server) and links made by libsignal for it", async () => {
    const bob = await network.createContact('Bob Phone');
    await network.server.setUsername(bob.aci as never, 'bobphone.77');
    expect((await value(a.service.call('conversations.start', { username: 'BobPhone.77' }))).serviceId).toBe(
      bob.aci,
    );
    const { entropy, serverId } = await network.server.setUsernameLink(bob.aci as never, 'bobphone.77');
    const url = `https://signal.me/#eu/${Buffer.concat([entropy, serverId]).toString('base64url')}`;
    expect((await value(a.service.call('conversations.start', { usernameLink: url }))).serviceId).toBe(
      bob.aci,
    );
  });

  it('hostile and unknown input: one typed error each, nothing created', async () => {
    const before = (await value(b.service.call('conversations.list', {}))).length;
    const cases: Array<[Record<string, string>, string, string | undefined]> = [
      [{ username: 'nobody_here.42' }, 'NOT_FOUND', undefined],
      [{ username: 'ab.42' }, 'INVALID_INPUT', 'username'],
      [{ username: 'bad-char.42' }, 'INVALID_INPUT', 'username'],
      [{ username: 'noseparator' }, 'INVALID_INPUT', 'username'],
      [{ usernameLink: 'https://signal.me/#eu/AAAA' }, 'INVALID_INPUT', 'usernameLink'],
      [{ usernameLink: 'https://example.com/#eu/x' }, 'INVALID_INPUT', 'usernameLink'],
    ];
    for (const [input, code, field] of cases) {
      const result = await b.service.call('conversations.start', input as never);
      expect(result, JSON.stringify(input)).toMatchObject({
        ok: false,
        error: { code, ...(field ? { fields: [field] } : {}) },
      });
    }
    // A well-formed link to a handle the server never issued, and one whose entropy is wrong.
    const link = (await value(a.service.call('account.details', {}))).usernameLink ?? '';
    const bytes = Buffer.from(link.slice('https://signal.me/#eu/'.length), 'base64url');
    const unknownHandle = Buffer.from(bytes);
    unknownHandle[47] = (unknownHandle[47] ?? 0) ^ 0xff;
    expect(
      await b.service.call('conversations.start', {
        usernameLink: `https://signal.me/#eu/${unknownHandle.toString('base64url')}`,
      }),
    ).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const badHandle = Buffer.from(bytes);
    badHandle[40] = (badHandle[40] ?? 0) ^ 0xff; // the UUID's variant bits: not a handle at all
    expect(
      await b.service.call('conversations.start', {
        usernameLink: `https://signal.me/#eu/${badHandle.toString('base64url')}`,
      }),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', fields: ['usernameLink'] } });
    const badEntropy = Buffer.from(bytes);
    badEntropy[0] = (badEntropy[0] ?? 0) ^ 0xff;
    expect(
      await b.service.call('conversations.start', {
        usernameLink: `https://signal.me/#eu/${badEntropy.toString('base64url')}`,
      }),
    ).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', fields: ['usernameLink'] } });
    expect((await value(b.service.call('conversations.list', {}))).length).toBe(before);
  });

  it('delete: the username and its link stop working', async () => {
    const { username, usernameLink } = await value(a.service.call('account.details', {}));
    const after = await value(a.service.call('username.delete', {}));
    expect(after).toMatchObject({ username: null, usernameLink: null });
    expect(await b.service.call('conversations.start', { username: username ?? '' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await b.service.call('conversations.start', { usernameLink: usernameLink ?? '' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await a.service.call('usernameLink.create', {})).toMatchObject({
      ok: false,
      error: { code: 'PRECONDITION' },
    });
  });
});

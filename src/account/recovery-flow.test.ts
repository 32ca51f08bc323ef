/**
 * PIN, registration lock and recovery END TO END on the live demo network (@signalapp/mock-server over
 * TLS, requests over the chat WebSocket): real SQLCipher vaults, real libsignal PinHash and sessions, the
 * demo key backup / registration lock / storage service mounted in the demo server, injected clock.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceIdKind } from '@signalapp/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DecryptionError,
  KeyBackupUnavailableError,
  RegistrationLockedError,
  WeakPinError,
} from '../errors.js';
import { setLogSink } from '../log.js';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import { randomDemoNumber, registerDemoAccount } from '../demo/test-support/register-demo-account.js';
import { MessagingClient } from '../messaging/client.js';
import { MessageStore } from '../messaging/store.js';
import { createTestVault, type TestVault } from '../test-support/vault.js';
import { directSocketOpener } from '../net/direct-opener.js';
import { openChatConnection } from '../net/chat-connection.js';
import { SettingsStore } from '../settings/store.js';
import { safetyNumberFor } from '../signal/safety-number.js';
import { SignalProtocolStores } from '../signal/stores/index.js';
import { AccountKv } from './account-kv.js';
import { collectAccountData, downloadAccountData, uploadAccountData } from './account-backup.js';
import { basicAuthorization, createKeyBackupClient } from './key-backup-client.js';
import { deriveRegistrationLockToken, deriveStorageKey } from './master-key.js';
import { generateStrongPin } from './pin-policy.js';
import { readAccountSecurityFacts } from './pin-service.js';
import {
  chatJsonSend,
  enablePinAndRegistrationLock,
  registerWithRecovery,
  type PinPrompt,
} from './recovery-flow.js';

const DAY = 24 * 3_600_000;
const WRONG_PIN = 'Wrong-Pin-0000-xyz';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('PIN + registration lock + recovery on the demo network (TLS)', () => {
  let network: DemoNetwork;
  let now = Date.now();
  const logs: string[] = [];
  const vaults: TestVault[] = [];

  beforeAll(async () => {
    setLogSink((level, event, fields) => logs.push(JSON.stringify({ level, event, ...fields })), 'debug');
    network = await startDemoNetwork({ clock: () => now });
  });
  afterAll(async () => {
    setLogSink(undefined, 'warn');
    for (const v of vaults) v.dispose();
    await network.close();
  });

  async function freshVault(): Promise<TestVault> {
    const v = await createTestVault('carapace-recovery-');
    vaults.push(v);
    return v;
  }

  async function registerWithPin(number: string) {
    const vault = await freshVault();
    const stores = new SignalProtocolStores(vault.db);
    const account = await registerDemoAccount(network, stores, { number, oneTimePreKeyCount: 5 });
    const kv = new AccountKv(vault.db);
    const pin = generateStrongPin();
    const endpoint = { config: network.config, openSocket: directSocketOpener };
    // The strong-PIN policy applies on the live path too.
    await expect(
      enablePinAndRegistrationLock({ ...endpoint, login: account, kv, pin: '1234' }),
    ).rejects.toThrow(WeakPinError);
    return { vault, stores, account, kv, pin, endpoint };
  }

  it('recovers on a fresh profile: 423 → wrong PIN counted → right PIN → same ACI, identity, safety number', async () => {
    const number = randomDemoNumber();
    const a = await registerWithPin(number);
    const settings = new SettingsStore(a.vault.db);
    settings.set('linkPreviews', true);

    // A simulated contact and a real exchange: A sends (prekey bundle → session), Bob receives.
    const bob = await network.createContact('Bob');
    const client = await MessagingClient.start({
      vault: a.vault,
      config: network.config,
      credentials: a.account,
      keepaliveIntervalMs: 0,
      reconnect: false,
    });
    const conversation = client.conversation(bob.aci, { isContact: true, profileName: 'Bob' });
    await client.sendText(conversation.id, 'hello Bob');
    const received = await bob.device.waitForMessage();
    expect(received.body).toBe('hello Bob');
    const numberBefore = safetyNumberFor(a.stores, bob.aci).digits;
    const identityBefore = Buffer.from(a.stores.aci.identity.localKeyPair().publicKey.serialize());
    await client.stop();

    // PIN + registration lock + encrypted account data, over the chat socket.
    const accountData = collectAccountData({
      stores: a.stores,
      profile: { givenName: 'Alice' },
      settings,
      messages: new MessageStore(a.vault.db),
    });
    expect(accountData.contacts.map((c) => c.serviceId)).toEqual([bob.aci]);
    const check = await enablePinAndRegistrationLock({
      ...a.endpoint,
      login: a.account,
      kv: a.kv,
      pin: a.pin,
      accountData,
    });
    expect(check.verdict).toBe('ok');
    expect(readAccountSecurityFacts(a.kv)).toMatchObject({ pinSet: true, registrationLock: true });
    const masterKey = a.kv.getBlob('account.masterKey')!;
    const token = deriveRegistrationLockToken(masterKey);
    const svrUsername = network.server.svr.svr.credentials.usernameFor(a.account.aci);
    // The server holds only ciphertext of the account data.
    const blob = network.server.svr.storage.get(svrUsername)!.data;
    expect(blob.includes(Buffer.from('Alice'))).toBe(false);
    expect(blob.includes(Buffer.from(bob.aci))).toBe(false);

    // Two days later, a fresh install registers the same number.
    now += 2 * DAY;
    const fresh = await freshVault();
    const freshStores = new SignalProtocolStores(fresh.db);
    const freshKv = new AccountKv(fresh.db);
    const freshSettings = new SettingsStore(fresh.db);
    const freshMessages = new MessageStore(fresh.db);
    const prompts: PinPrompt[] = [];
    let codesAsked = 0;
    const result = await registerWithRecovery({
      config: network.config,
      openSocket: directSocketOpener,
      stores: freshStores,
      number,
      captcha: 'demo-captcha',
      getVerificationCode: () => {
        codesAsked += 1;
        return Promise.resolve('111111');
      },
      oneTimePreKeyCount: 5,
      kv: freshKv,
      settings: freshSettings,
      messages: freshMessages,
      askPin: (prompt) => {
        prompts.push(prompt);
        return Promise.resolve(prompt.attempt === 1 ? WRONG_PIN : a.pin);
      },
    });
    expect(prompts).toHaveLength(2);
    expect(prompts[0]!.timeRemainingMs).toBe(5 * DAY);
    expect(prompts[0]!.triesRemaining).toBeUndefined();
    expect(prompts[1]!.triesRemaining).toBe(9); // the wrong PIN was counted
    expect(result.recovered).toBe(true);
    expect(codesAsked).toBe(1); // the retry reused the verified session
    expect(result.account.aci).toBe(a.account.aci); // re-registration keeps the ACI

    // Identity and account data restored; the safety number with Bob is unchanged.
    expect(
      Buffer.from(freshStores.aci.identity.localKeyPair().publicKey.serialize()).equals(identityBefore),
    ).toBe(true);
    expect(freshStores.aci.identity.localServiceId()).toBe(a.account.aci);
    expect(safetyNumberFor(freshStores, bob.aci).digits).toBe(numberBefore);
    const server = await network.server.getDeviceByServiceId(a.account.aci as never);
    const served = await server!.getIdentityKey(ServiceIdKind.ACI);
    expect(Buffer.from(served.serialize()).equals(identityBefore)).toBe(true); // what Bob sees
    expect(freshSettings.getValue('linkPreviews')).toBe(true);
    expect(freshMessages.findConversationByServiceId(bob.aci)).toMatchObject({
      isContact: true,
      profileName: 'Bob',
    });
    expect(readAccountSecurityFacts(freshKv)).toMatchObject({ pinSet: true, registrationLock: true });
    const freshMaster = freshKv.getBlob('account.masterKey')!;
    expect(freshMaster.equals(masterKey)).toBe(true);
    freshMaster.fill(0);
    // The lock survived the re-registration: another install without the token is refused.
    expect(network.server.svr.svr.registrationLock.isLocked(number)).toBe(true);

    // No PIN, token, master key or number in the logs, nor in plaintext in either profile's files.
    const logText = logs.join('\n');
    expect(logText).toContain('account.recovery.done');
    for (const secret of [a.pin, token, number, masterKey.toString('hex'), masterKey.toString('base64')]) {
      expect(logText).not.toContain(secret);
    }
    for (const v of [a.vault, fresh]) v.vault.lock('user');
    const files = [...filesUnder(a.vault.dir), ...filesUnder(fresh.dir)];
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const needle of [
        Buffer.from(a.pin),
        Buffer.from(token),
        masterKey,
        Buffer.from(number),
        Buffer.from('Alice'),
      ]) {
        expect(bytes.includes(needle), file).toBe(false);
      }
    }
    masterKey.fill(0);
  }, 120_000);

  it('10 wrong PINs delete the backup; the 11th try, even with the right PIN, fails: backup deleted', async () => {
    const number = randomDemoNumber();
    const c = await registerWithPin(number);
    await enablePinAndRegistrationLock({ ...c.endpoint, login: c.account, kv: c.kv, pin: c.pin });
    const fresh = await freshVault();
    const stores = new SignalProtocolStores(fresh.db);
    const locked = await registerDemoAccount(network, stores, { number, oneTimePreKeyCount: 5 }).catch(
      (error: unknown) => error,
    );
    expect(locked).toBeInstanceOf(RegistrationLockedError);
    const credentials = (locked as RegistrationLockedError).svr2Credentials!;
    // Nine wrong access keys straight at the key backup over the socket (PinHash is slow on purpose).
    const connection = await openChatConnection({
      endpoint: network.config.chat,
      trustRootsPem: network.config.tlsTrustRootsPem,
      openSocket: directSocketOpener,
      keepaliveIntervalMs: 0,
    });
    const client = createKeyBackupClient(chatJsonSend(connection), () => ({}));
    const tries: number[] = [];
    for (let i = 0; i < 9; i++) {
      await client
        .restore(credentials, Buffer.alloc(32, i + 1))
        .catch((error: { triesRemaining: number }) => {
          tries.push(error.triesRemaining);
        });
    }
    await connection.close();
    expect(tries).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);

    const base = {
      config: network.config,
      openSocket: directSocketOpener,
      stores,
      number,
      captcha: 'demo-captcha',
      getVerificationCode: () => Promise.resolve('111111'),
      oneTimePreKeyCount: 5,
      kv: new AccountKv(fresh.db),
    };
    // The 10th (a wrong PIN through the flow) destroys the backup.
    const tenth = registerWithRecovery({ ...base, askPin: () => Promise.resolve(WRONG_PIN) });
    await expect(tenth).rejects.toThrow(KeyBackupUnavailableError);
    // The 11th: the right PIN cannot bring it back.
    const eleventh = registerWithRecovery({ ...base, askPin: () => Promise.resolve(c.pin) });
    await expect(eleventh).rejects.toMatchObject({
      code: new KeyBackupUnavailableError('deleted').code,
      reason: 'deleted',
    });
    // Giving up at the prompt rethrows the registration lock.
    await expect(registerWithRecovery({ ...base, askPin: () => Promise.resolve(null) })).rejects.toThrow(
      RegistrationLockedError,
    );
  }, 120_000);

  it('storage and SVR routes on the socket refuse bad auth and bad input; tampered account data is a DecryptionError', async () => {
    const number = randomDemoNumber();
    const e = await registerWithPin(number);
    await enablePinAndRegistrationLock({
      ...e.endpoint,
      login: e.account,
      kv: e.kv,
      pin: e.pin,
      registrationLock: false,
    });
    const anonymous = await openChatConnection({
      endpoint: network.config.chat,
      trustRootsPem: network.config.tlsTrustRootsPem,
      openSocket: directSocketOpener,
      keepaliveIntervalMs: 0,
    });
    const anon = chatJsonSend(anonymous);
    const path = '/v1/demo-storage/account-data';
    expect((await anon({ method: 'GET', path, headers: {} })).status).toBe(401);
    expect((await anon({ method: 'PUT', path, headers: {}, body: { data: 'AAAA' } })).status).toBe(401);
    const forged = { username: 'a'.repeat(32), password: `${now}:${'0'.repeat(64)}` };
    expect(
      (await anon({ method: 'GET', path, headers: { authorization: basicAuthorization(forged) } })).status,
    ).toBe(401);
    expect((await anon({ method: 'GET', path: '/v2/backup/auth', headers: {} })).status).toBe(401);
    // The socket survives all of that (no auth-failure close).
    expect(anonymous.isOpen).toBe(true);
    await anonymous.close();

    const authed = await openChatConnection({
      endpoint: network.config.chat,
      trustRootsPem: network.config.tlsTrustRootsPem,
      openSocket: directSocketOpener,
      keepaliveIntervalMs: 0,
      auth: { username: `${e.account.aci}.1`, password: e.account.password },
    });
    const send = chatJsonSend(authed);
    for (const body of [undefined, null, 42, { data: '%%%' }, { data: 1 }]) {
      expect((await send({ method: 'PUT', path, headers: {}, body })).status).toBe(400);
    }
    expect((await send({ method: 'GET', path, headers: {} })).status).toBe(404);
    const masterKey = e.kv.getBlob('account.masterKey')!;
    const storageKey = deriveStorageKey(masterKey);
    const data = collectAccountData({
      stores: e.stores,
      profile: { givenName: 'Eve' },
      settings: new SettingsStore(e.vault.db),
    });
    await uploadAccountData(send, storageKey, data);
    expect(await downloadAccountData(send, storageKey)).toEqual(data);
    // Flip one ciphertext byte on the server: the client refuses it with a typed error.
    const key = network.server.svr.svr.credentials.usernameFor(e.account.aci);
    const stored = network.server.svr.storage.get(key)!.data;
    stored[stored.length - 20]! ^= 1;
    network.server.svr.storage.put(key, stored);
    await expect(downloadAccountData(send, storageKey)).rejects.toThrow(DecryptionError);
    const wrongKey = Buffer.alloc(32, 7);
    await expect(downloadAccountData(send, wrongKey)).rejects.toThrow(DecryptionError);
    await authed.close();
    storageKey.fill(0);
    masterKey.fill(0);
  }, 120_000);

  it('without the token registration is refused while the lock is active, allowed after 7 inactive days', async () => {
    const number = randomDemoNumber();
    const d = await registerWithPin(number);
    await enablePinAndRegistrationLock({ ...d.endpoint, login: d.account, kv: d.kv, pin: d.pin });
    const fresh = await freshVault();
    const stores = new SignalProtocolStores(fresh.db);
    // Nobody gets the 423 (and its SVR credentials) without first verifying the number.
    const raw = await openChatConnection({
      endpoint: network.config.chat,
      trustRootsPem: network.config.tlsTrustRootsPem,
      openSocket: directSocketOpener,
      keepaliveIntervalMs: 0,
    });
    const rawSend = chatJsonSend(raw);
    const session = await rawSend({
      method: 'POST',
      path: '/v1/verification/session',
      headers: {},
      body: { number },
    });
    const unverified = await rawSend({
      method: 'POST',
      path: '/v1/registration',
      headers: { authorization: `Basic ${Buffer.from(`${number}:pw`).toString('base64')}` },
      body: { sessionId: (session.json as { id: string }).id, accountAttributes: {} },
    });
    await raw.close();
    expect(unverified.status).not.toBe(423);
    expect(JSON.stringify(unverified.json ?? {})).not.toContain('svr2Credentials');
    const attempt = () => registerDemoAccount(network, stores, { number, oneTimePreKeyCount: 5 });
    await expect(attempt()).rejects.toMatchObject({ timeRemainingMs: 7 * DAY });
    now += 6 * DAY;
    await expect(attempt()).rejects.toMatchObject({ timeRemainingMs: DAY });
    now += DAY;
    const registered = await attempt();
    expect(registered.aci).toBe(d.account.aci);
    expect(network.server.svr.svr.registrationLock.isLocked(number)).toBe(false);
    // The old device's login is gone.
    const old = await network.server.getDeviceByServiceId(d.account.aci as never);
    expect(await network.server.auth(`${d.account.aci}.1`, d.account.password)).toBeUndefined();
    expect(old).toBeDefined();
  }, 120_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PreconditionError,
  RegistrationLockedError,
  ValidationError,
  VerificationCodeError,
} from '../errors.js';
import { startDemoNetwork, type DemoNetwork } from '../demo/network.js';
import { randomDemoNumber, registerDemoAccount } from '../demo/test-support/register-demo-account.js';
import { directSocketOpener } from '../net/direct-opener.js';
import { openChatConnection } from '../net/chat-connection.js';
import { SignalProtocolStores } from '../signal/stores/index.js';
import { openTestDb } from '../test-support/db.js';
import { createTestDir, type TestDir } from '../test-support/files.js';
import { registerPrimary } from './registration.js';

describe('registration as a primary device (real mock server over TLS)', () => {
  let network: DemoNetwork;
  let dir: TestDir;
  let n = 0;
  const newStores = (): SignalProtocolStores =>
    new SignalProtocolStores(openTestDb(`${dir.path}/r${n++}.db`));

  beforeAll(async () => {
    network = await startDemoNetwork();
    dir = createTestDir('carapace-registration-');
  });
  afterAll(async () => {
    await network.close();
    dir.dispose();
  });

  it('registers through session, captcha and code; the server knows the account and its keys', async () => {
    const stores = newStores();
    const number = randomDemoNumber();
    const account = await registerDemoAccount(network, stores, { number, oneTimePreKeyCount: 12 });
    expect(account.deviceId).toBe(1);
    expect(account.pni.startsWith('PNI:')).toBe(true);
    expect(account.number).toBe(number);

    const device = await network.server.getDeviceByServiceId(account.aci as never);
    expect(device?.number).toBe(number);
    expect(device?.pni).toBe(account.pni);
    // Identity key the server hands out is the one in our vault.
    const identity = await device!.getIdentityKey();
    expect(Buffer.from(identity.serialize())).toEqual(
      Buffer.from(stores.aci.identity.localKeyPair().publicKey.serialize()),
    );
    expect(await device!.getPreKeyCount()).toBe(12);
    expect(await device!.getKyberPreKeyCount()).toBe(12);
    // Sealed-sender material was recorded by the demo server extension.
    expect(device!.accessKey?.length).toBe(16);

    // The credentials log in; whoami answers our ids.
    const connection = await openChatConnection({
      endpoint: network.config.chat,
      trustRootsPem: network.config.tlsTrustRootsPem,
      openSocket: directSocketOpener,
      auth: { username: `${account.aci}.1`, password: account.password },
      keepaliveIntervalMs: 0,
    });
    const whoami = (await connection.requestJson({ verb: 'GET', path: '/v1/accounts/whoami' })) as Record<
      string,
      unknown
    >;
    expect(whoami.uuid).toBe(account.aci);
    await connection.close();
  });

  it('rejects a wrong verification code with a typed error, after retrying', async () => {
    const asked: number[] = [];
    await expect(
      registerPrimary({
        config: network.config,
        openSocket: directSocketOpener,
        stores: newStores(),
        number: randomDemoNumber(),
        captcha: 'demo',
        maxCodeAttempts: 2,
        getVerificationCode: (attempt) => {
          asked.push(attempt);
          return Promise.resolve('000000');
        },
      }),
    ).rejects.toBeInstanceOf(VerificationCodeError);
    expect(asked).toEqual([1, 2]);
  });

  it('maps 423 to RegistrationLockedError with time remaining and SVR2 credentials; a retry reuses the identity', async () => {
    const stores = newStores();
    const number = randomDemoNumber();
    network.server.setRegisterResponseError({
      code: 423,
      data: { timeRemaining: 86_400_000, svr2Credentials: { username: 'svr-user', password: 'svr-pass' } },
    });
    try {
      const error = await registerDemoAccount(network, stores, { number }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistrationLockedError);
      const locked = error as RegistrationLockedError;
      expect(locked.timeRemainingMs).toBe(86_400_000);
      expect(locked.svr2Credentials).toEqual({ username: 'svr-user', password: 'svr-pass' });
    } finally {
      network.server.setRegisterResponseError(undefined);
    }
    const identity = Buffer.from(stores.aci.identity.localKeyPair().publicKey.serialize());
    // Same vault, second attempt (e.g. with the PIN's registration-lock token): succeeds, same identity.
    const account = await registerDemoAccount(network, stores, { number, oneTimePreKeyCount: 3 });
    expect(Buffer.from(stores.aci.identity.localKeyPair().publicKey.serialize())).toEqual(identity);
    const device = await network.server.getDeviceByServiceId(account.aci as never);
    expect(Buffer.from((await device!.getIdentityKey()).serialize())).toEqual(identity);
    // A registered vault is never re-registered.
    await expect(registerDemoAccount(network, stores)).rejects.toBeInstanceOf(PreconditionError);
  });

  it('refuses a malformed number before any network call', async () => {
    await expect(
      registerPrimary({
        config: network.config,
        openSocket: () => Promise.reject(new Error('must not connect')),
        stores: newStores(),
        number: '555-1234',
        captcha: 'demo',
        getVerificationCode: () => Promise.resolve('111111'),
      }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

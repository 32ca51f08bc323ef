import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { basicAuthHeader, SvrCredentialIssuer } from './credentials.js';
import { DemoSvr } from './handler.js';
import { KeyBackupService } from './key-backup-service.js';
import { REGISTRATION_LOCK_INACTIVITY_MS, RegistrationLockPolicy } from './registration-lock.js';

const DAY = 24 * 3_600_000;

describe('KeyBackupService', () => {
  it('restores with the right access key and resets the counter', () => {
    const service = new KeyBackupService();
    const access = randomBytes(32);
    const wrapped = randomBytes(48);
    service.backup('u1', access, wrapped);
    expect(service.restore('u1', randomBytes(32))).toMatchObject({ status: 'wrong-pin', triesRemaining: 9 });
    expect(service.restore('u1', randomBytes(32))).toMatchObject({ status: 'wrong-pin', triesRemaining: 8 });
    const ok = service.restore('u1', access);
    expect(ok.status).toBe('ok');
    if (ok.status === 'ok') expect(ok.wrappedMasterKey.equals(wrapped)).toBe(true);
    expect(service.triesRemaining('u1')).toBe(10);
    // The service keeps a verifier, never the access key.
    for (const bytes of service.storedBytesForTest('u1')) expect(bytes.includes(access)).toBe(false);
  });

  it('10 wrong tries delete the backup; the 11th try (even with the right key) fails: backup deleted', () => {
    const service = new KeyBackupService();
    const access = randomBytes(32);
    service.backup('u1', access, randomBytes(48));
    for (let i = 1; i <= 9; i++) {
      expect(service.restore('u1', randomBytes(32))).toEqual({
        status: 'wrong-pin',
        triesRemaining: 10 - i,
        deleted: false,
      });
    }
    expect(service.restore('u1', randomBytes(32))).toEqual({
      status: 'wrong-pin',
      triesRemaining: 0,
      deleted: true,
    });
    expect(service.has('u1')).toBe(false);
    expect(service.restore('u1', access)).toEqual({ status: 'deleted' });
    expect(service.restore('nobody', access)).toEqual({ status: 'missing' });
  });

  it('keeps accounts apart and rejects malformed input', () => {
    const service = new KeyBackupService();
    const access = randomBytes(32);
    service.backup('u1', access, randomBytes(48));
    expect(service.restore('u2', access)).toEqual({ status: 'missing' });
    expect(() => service.backup('u1', randomBytes(31), randomBytes(48))).toThrow();
    expect(() => service.backup('u1', randomBytes(32), randomBytes(47))).toThrow();
    expect(() => service.backup('u1', randomBytes(32), randomBytes(48), 11)).toThrow();
  });
});

describe('RegistrationLockPolicy', () => {
  it('answers 423 while active, accepts the token, and lets anyone register after 7 inactive days', () => {
    let now = Date.UTC(2026, 0, 1);
    const credentials = new SvrCredentialIssuer({ now: () => now });
    const policy = new RegistrationLockPolicy(credentials, { now: () => now });
    const token = randomBytes(32).toString('hex');
    policy.recordRegistration('+15550001111', 'aci-1');
    expect(policy.check('+15550001111', undefined)).toEqual({ allowed: true, lockPassed: false });
    expect(policy.setLock('+15550001111', token)).toBe(true);
    expect(policy.setLock('+15550001111', 'not-hex')).toBe(false);

    now += 2 * DAY;
    const refused = policy.check('+15550001111', undefined);
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) {
      expect(refused.status).toBe(423);
      expect(refused.body.timeRemaining).toBe(5 * DAY);
      expect(refused.body.svr2Credentials.username).toBe(credentials.usernameFor('aci-1'));
      expect(
        credentials.verify(refused.body.svr2Credentials.username, refused.body.svr2Credentials.password),
      ).toBe(refused.body.svr2Credentials.username);
    }
    expect(policy.check('+15550001111', randomBytes(32).toString('hex')).allowed).toBe(false);
    expect(policy.check('+15550001111', token)).toEqual({ allowed: true, lockPassed: true });

    // Activity keeps the lock alive.
    now += 6 * DAY;
    policy.touch('+15550001111');
    now += 6 * DAY;
    expect(policy.check('+15550001111', undefined).allowed).toBe(false);

    // 7 days without activity: the lock expires.
    now += DAY - 1;
    expect(policy.check('+15550001111', undefined).allowed).toBe(false);
    now += 1;
    expect(policy.isLocked('+15550001111')).toBe(false);
    expect(policy.check('+15550001111', undefined)).toEqual({ allowed: true, lockPassed: false });
    expect(REGISTRATION_LOCK_INACTIVITY_MS).toBe(7 * DAY);
  });

  it('does not lock numbers without a lock, and a disabled lock stops applying', () => {
    const policy = new RegistrationLockPolicy(new SvrCredentialIssuer());
    expect(policy.check('+15550002222', undefined).allowed).toBe(true);
    policy.recordRegistration('+15550002222', 'aci-2');
    policy.setLock('+15550002222', randomBytes(32).toString('hex'));
    expect(policy.check('+15550002222', undefined).allowed).toBe(false);
    policy.setLock('+15550002222', undefined);
    expect(policy.check('+15550002222', undefined).allowed).toBe(true);
  });
});

describe('SVR credentials', () => {
  it('are bound to the ACI, expire after 30 days and cannot be forged', () => {
    let now = Date.UTC(2026, 0, 1);
    const issuer = new SvrCredentialIssuer({ now: () => now });
    const creds = issuer.issue('aci-1');
    expect(issuer.issue('aci-1').username).toBe(creds.username);
    expect(issuer.issue('aci-2').username).not.toBe(creds.username);
    expect(issuer.verifyBasicAuth(basicAuthHeader(creds))).toBe(creds.username);
    expect(
      issuer.verify(
        creds.username,
        creds.password.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
      ),
    ).toBeUndefined();
    expect(new SvrCredentialIssuer().verify(creds.username, creds.password)).toBeUndefined();
    expect(issuer.verifyBasicAuth('Basic !!!')).toBeUndefined();
    expect(issuer.verifyBasicAuth(undefined)).toBeUndefined();
    now += 31 * DAY;
    expect(issuer.verify(creds.username, creds.password)).toBeUndefined();
  });
});

describe('DemoSvr request handler', () => {
  const account = { aci: 'aci-h', e164: '+15550003333' };
  const svr = new DemoSvr({
    authenticate: (headers) => (headers.authorization === 'Basic account' ? account : undefined),
  });

  it('answers only its routes and never throws on garbage', () => {
    expect(svr.handle('GET', '/v1/profile/x', {}, undefined)).toBeUndefined();
    expect(svr.handle('GET', '/v2/backup/auth', {}, undefined)?.status).toBe(401);
    const creds = svr.handle('GET', '/v2/backup/auth', { authorization: 'Basic account' }, undefined);
    expect(creds?.status).toBe(200);
    const { username, password } = creds!.json as { username: string; password: string };
    const auth = { Authorization: basicAuthHeader({ username, password }) };
    for (const body of [
      undefined,
      null,
      'x',
      42,
      { accessKey: 'AAAA' },
      { accessKey: '%%%', wrappedMasterKey: 1 },
    ]) {
      expect(svr.handle('PUT', '/v1/demo-svr/backup', auth, body)?.status).toBe(400);
      expect(svr.handle('POST', '/v1/demo-svr/restore', auth, body)?.status).toBe(400);
    }
    const good = {
      accessKey: randomBytes(32).toString('base64'),
      wrappedMasterKey: randomBytes(48).toString('base64'),
    };
    expect(svr.handle('PUT', '/v1/demo-svr/backup', {}, good)?.status).toBe(401);
    expect(svr.handle('PUT', '/v1/demo-svr/backup', auth, good)?.status).toBe(204);
    expect(svr.handle('POST', '/v1/demo-svr/restore?x=1', auth, { accessKey: good.accessKey })).toEqual({
      status: 200,
      json: { wrappedMasterKey: good.wrappedMasterKey, triesRemaining: 10 },
    });
    expect(
      svr.handle('PUT', '/v1/accounts/registration_lock', { authorization: 'Basic account' }, {})?.status,
    ).toBe(400);
    expect(svr.handle('DELETE', '/v1/demo-svr/backup', auth, undefined)?.status).toBe(204);
    expect(svr.handle('POST', '/v1/demo-svr/restore', auth, { accessKey: good.accessKey })).toEqual({
      status: 404,
      json: { error: 'no-backup' },
    });
  });
});

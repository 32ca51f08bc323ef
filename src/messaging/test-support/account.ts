/**
 * Test-only: register a PRIMARY account on the demo network (verification session → captcha → SMS
 * code 111111 → POST /v1/registration → one-time prekeys), with keys from src/signal/keys.ts stored
 * in the given vault DB. The product's registration flow is src/account/registration.ts; this helper
 * exists so the messaging tests do not depend on its UI-oriented steps.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { ProfileKey } from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import { openChatConnection, type ChatConnection } from '../../net/chat-connection.js';
import type { ClientConfig } from '../../net/config.js';
import { directSocketOpener } from '../../net/direct-opener.js';
import { createPrimaryKeys, setLocalServiceIds } from '../../signal/keys.js';
import { SignalProtocolStores } from '../../signal/stores/index.js';
import type { SqlDatabase } from '../../vault/sql.js';
import type { AccountCredentials } from '../client.js';

export interface TestAccount extends AccountCredentials {
  readonly pni: string;
  readonly profileKey: Uint8Array;
}

async function call(connection: ChatConnection, verb: string, path: string, json: unknown, auth?: string) {
  const response = await connection.request({
    verb,
    path,
    json,
    ...(auth ? { headers: [`authorization:${auth}`] } : {}),
  });
  if (response.status !== 200) throw new Error(`${verb} ${path} answered ${response.status}`);
  return response.body
    ? (JSON.parse(Buffer.from(response.body).toString('utf8')) as Record<string, unknown>)
    : {};
}

export async function registerTestAccount(db: SqlDatabase, config: ClientConfig): Promise<TestAccount> {
  const stores = new SignalProtocolStores(db);
  const keys = createPrimaryKeys(stores, 20);
  const password = randomBytes(18).toString('base64url');
  const number = `+1555${String(randomInt(1_000_000, 9_999_999))}`;
  const profileKey = new Uint8Array(randomBytes(32));
  const accessKey = new ProfileKey(profileKey).deriveAccessKey();

  const anon = await openChatConnection({
    endpoint: config.chat,
    trustRootsPem: config.tlsTrustRootsPem,
    openSocket: directSocketOpener,
    keepaliveIntervalMs: 0,
  });
  let aci: string;
  let pni: string;
  try {
    const session = await call(anon, 'POST', '/v1/verification/session', { number });
    const id = String(session.id);
    await call(anon, 'PATCH', `/v1/verification/session/${id}`, { captcha: 'test-captcha' });
    await call(anon, 'POST', `/v1/verification/session/${id}/code`, { transport: 'sms', client: 'desktop' });
    const verified = await call(anon, 'PUT', `/v1/verification/session/${id}/code`, { code: '111111' });
    if (verified.verified !== true) throw new Error('verification failed');
    const auth = `Basic ${Buffer.from(`${number}:${password}`).toString('base64')}`;
    const result = await call(
      anon,
      'POST',
      '/v1/registration',
      {
        sessionId: id,
        accountAttributes: {
          fetchesMessages: true,
          registrationId: keys.registration.registrationId,
          pniRegistrationId: keys.registration.pniRegistrationId,
          capabilities: { attachmentBackfill: false, spqr: false, usernameChangeSyncMessage: false },
          unidentifiedAccessKey: [...accessKey],
          unrestrictedUnidentifiedAccess: false,
          discoverableByPhoneNumber: false,
          recoveryPassword: randomBytes(32).toString('base64'),
        },
        skipDeviceTransfer: true,
        ...keys.registration,
      },
      auth,
    );
    aci = String(result.uuid);
    pni = `PNI:${String(result.pni)}`;
  } finally {
    await anon.close();
  }
  setLocalServiceIds(stores, aci, pni);

  const authed = await openChatConnection({
    endpoint: config.chat,
    trustRootsPem: config.tlsTrustRootsPem,
    openSocket: directSocketOpener,
    auth: { username: `${aci}.1`, password },
    keepaliveIntervalMs: 0,
    onRequest: () => Promise.resolve(500), // never ack here: messages wait for the real client
  });
  try {
    await call(authed, 'PUT', '/v2/keys?identity=aci', keys.oneTime.aci);
    await call(authed, 'PUT', '/v2/keys?identity=pni', keys.oneTime.pni);
  } finally {
    await authed.close();
  }
  return { aci, pni, deviceId: 1, password, profileKey };
}

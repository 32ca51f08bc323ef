/**
 * The registered account as this device stores it (in the vault's account key-value table): the chat
 * login and our own profile key. Read on use, so a registration that completes is seen at once.
 */
import { z } from 'zod';
import type { AccountKv } from '../../account/account-kv.js';
import type { AccountLogin } from '../../account/recovery-flow.js';
import type { RegisteredAccount } from '../../account/registration.js';
import type { AccountCredentials } from '../../messaging/client.js';

const ACCOUNT_KEY = 'api.account';
const PROFILE_KEY = 'api.profileKey';

const StoredAccountSchema = z.object({
  aci: z.string(),
  pni: z.string(),
  deviceId: z.number().int(),
  password: z.string(),
  number: z.string(),
});
export type StoredAccount = z.infer<typeof StoredAccountSchema>;

export function readAccount(kv: AccountKv): StoredAccount | undefined {
  return kv.getJson(ACCOUNT_KEY, StoredAccountSchema);
}

export function saveAccount(kv: AccountKv, registered: RegisteredAccount): void {
  kv.setJson(ACCOUNT_KEY, {
    aci: registered.aci,
    pni: registered.pni,
    deviceId: registered.deviceId,
    password: registered.password,
    number: registered.number,
  } satisfies StoredAccount);
  kv.setBlob(PROFILE_KEY, registered.profileKey);
}

export function readOwnProfileKey(kv: AccountKv): Uint8Array | null {
  return kv.getBlob(PROFILE_KEY) ?? null;
}

export function saveOwnProfileKey(kv: AccountKv, profileKey: Uint8Array): void {
  kv.setBlob(PROFILE_KEY, profileKey);
}

export function credentialsOf(account: StoredAccount): AccountCredentials {
  return { aci: account.aci, pni: account.pni, deviceId: account.deviceId, password: account.password };
}

export function loginOf(account: StoredAccount): AccountLogin {
  return { aci: account.aci, deviceId: account.deviceId, password: account.password };
}

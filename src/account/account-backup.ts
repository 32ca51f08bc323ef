/**
 * Account data backup for the demo storage service (src/demo/svr/storage-service.ts): collect what a
 * fresh install needs (profile name, settings, contacts with their identity keys, blocked list, our own
 * identity key pairs — never messages), encrypt it under the storage key (account-data.ts), upload;
 * download + decrypt + restore on recovery. The server only ever sees ciphertext.
 *
 * Routes (chat socket): PUT /v1/demo-storage/account-data { data } (account auth);
 * GET the same path with account auth or with the SVR credentials of a 423 answer (before re-registering).
 */
import { randomInt } from 'node:crypto';
import { IdentityKeyPair, PublicKey } from '@signalapp/libsignal-client';
import { z } from 'zod';
import { PreconditionError, ProtocolError, ServerError, ValidationError } from '../errors.js';
import { log } from '../log.js';
import type { MessageStore } from '../messaging/store.js';
import type { SettingsStore } from '../settings/store.js';
import { VerifiedStatus, type SignalProtocolStores } from '../signal/stores/index.js';
import { decryptAccountData, encryptAccountData, type AccountData } from './account-data.js';
import { basicAuthorization, type JsonSend } from './key-backup-client.js';
import type { SvrCredentials } from './pin-service.js';

const ACCOUNT_DATA_PATH = '/v1/demo-storage/account-data';

export interface AccountBackupSources {
  readonly stores: SignalProtocolStores;
  readonly profile: AccountData['profile'];
  readonly settings?: SettingsStore;
  /** Contacts and blocked list come from the conversations (src/messaging/store.ts). */
  readonly messages?: MessageStore;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** Snapshot of the account data from the vault. Contains private identity keys: encrypt at once. */
export function collectAccountData(sources: AccountBackupSources): AccountData {
  const { stores } = sources;
  if (!stores.aci.identity.hasLocalIdentity())
    throw new PreconditionError('There is no identity to back up.');
  const contacts: AccountData['contacts'] = [];
  const blocked: string[] = [];
  for (const conversation of sources.messages?.listConversations() ?? []) {
    const remote = stores.aci.identity.getRemoteIdentity(conversation.serviceId);
    if (conversation.blocked) blocked.push(conversation.serviceId);
    if (!conversation.isContact && !remote) continue;
    contacts.push({
      serviceId: conversation.serviceId,
      ...(conversation.profileName ? { name: conversation.profileName.slice(0, 256) } : {}),
      ...(remote ? { identityKey: b64(remote.publicKey.serialize()) } : {}),
      ...(remote?.verified === VerifiedStatus.Verified ? { verified: true } : {}),
    });
  }
  const aci = stores.aci.identity.localKeyPair().serialize();
  const pni = stores.pni.identity.hasLocalIdentity()
    ? stores.pni.identity.localKeyPair().serialize()
    : undefined;
  const data: AccountData = {
    version: 1,
    profile: sources.profile,
    settings: sources.settings ? { ...sources.settings.get() } : defaultSettingsOrThrow(),
    contacts,
    blocked,
    identity: { aciIdentityKeyPair: b64(aci), ...(pni ? { pniIdentityKeyPair: b64(pni) } : {}) },
  };
  aci.fill(0);
  pni?.fill(0);
  return data;
}

function defaultSettingsOrThrow(): never {
  throw new ValidationError('The settings store is required for an account backup.');
}

/** Encrypt under the storage key and PUT (authenticated chat socket). Returns the server's version. */
export async function uploadAccountData(
  send: JsonSend,
  storageKey: Uint8Array,
  data: AccountData,
): Promise<number> {
  const blob = encryptAccountData(storageKey, data);
  try {
    const response = await send({
      method: 'PUT',
      path: ACCOUNT_DATA_PATH,
      headers: {},
      body: { data: blob.toString('base64') },
    });
    if (response.status !== 200) throw new ServerError('Uploading the account data failed.', response.status);
    const parsed = z.object({ version: z.number().int() }).safeParse(response.json);
    if (!parsed.success) throw new ProtocolError('The storage service answer is malformed.');
    log.info('account.data_uploaded', { bytes: blob.length, version: parsed.data.version });
    return parsed.data.version;
  } finally {
    blob.fill(0);
  }
}

/**
 * GET and decrypt. With `svrCredentials` (from a 423 answer) the request works before registration.
 * Returns undefined when the server has no account data; DecryptionError on a wrong key or tampering.
 */
export async function downloadAccountData(
  send: JsonSend,
  storageKey: Uint8Array,
  svrCredentials?: SvrCredentials,
): Promise<AccountData | undefined> {
  const response = await send({
    method: 'GET',
    path: ACCOUNT_DATA_PATH,
    headers: svrCredentials ? { authorization: basicAuthorization(svrCredentials) } : {},
  });
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw new ServerError('Downloading the account data failed.', response.status);
  const parsed = z.object({ data: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/) }).safeParse(response.json);
  if (!parsed.success) throw new ProtocolError('The storage service answer is malformed.');
  const blob = Buffer.from(parsed.data.data, 'base64');
  try {
    return decryptAccountData(storageKey, blob);
  } finally {
    blob.fill(0);
  }
}

/**
 * Put the backed-up identity key pairs into a fresh vault BEFORE (re-)registering, so the registration
 * announces the same identity keys and contacts' safety numbers do not change. The service id stays
 * empty until the registration succeeds (registration.ts then reuses these identities).
 */
export async function restoreIdentityKeys(stores: SignalProtocolStores, data: AccountData): Promise<boolean> {
  if (!data.identity) return false;
  for (const kind of ['aci', 'pni'] as const) {
    const serialized = kind === 'aci' ? data.identity.aciIdentityKeyPair : data.identity.pniIdentityKeyPair;
    if (!serialized) continue;
    const store = stores.of(kind).identity;
    if (store.hasLocalIdentity() && store.localServiceId() !== '') {
      throw new PreconditionError('This vault already belongs to a registered account.');
    }
    const bytes = new Uint8Array(Buffer.from(serialized, 'base64'));
    let pair: IdentityKeyPair;
    try {
      pair = IdentityKeyPair.deserialize(bytes);
    } catch (error) {
      throw new ProtocolError('The backed-up identity key is malformed.', { cause: error });
    } finally {
      bytes.fill(0);
    }
    const registrationId = store.hasLocalIdentity()
      ? await store.getLocalRegistrationId()
      : randomInt(1, 16_381);
    store.setLocalIdentity('', pair, registrationId);
  }
  return true;
}

/** After the registration: contacts (with their identity keys), blocked list, settings. */
export function restoreAccountData(
  data: AccountData,
  targets: { stores: SignalProtocolStores; settings?: SettingsStore; messages?: MessageStore },
): { contacts: number } {
  if (targets.settings) targets.settings.replace(data.settings);
  let contacts = 0;
  for (const contact of data.contacts) {
    if (contact.identityKey) {
      try {
        const key = PublicKey.deserialize(new Uint8Array(Buffer.from(contact.identityKey, 'base64')));
        targets.stores.aci.identity.saveRemoteIdentity(contact.serviceId, key);
        if (contact.verified)
          targets.stores.aci.identity.setVerified(contact.serviceId, VerifiedStatus.Verified);
      } catch {
        log.warn('account.restore_contact_key_invalid');
      }
    }
    if (targets.messages) {
      const conversation = targets.messages.getOrCreateConversation(contact.serviceId, {
        ...(contact.name ? { profileName: contact.name } : {}),
        isContact: true,
        acceptedAt: Date.now(),
      });
      if (data.blocked.includes(contact.serviceId)) {
        targets.messages.updateConversation(conversation.id, { blocked: true });
      }
    }
    contacts += 1;
  }
  if (targets.messages) {
    for (const serviceId of data.blocked) {
      const conversation = targets.messages.getOrCreateConversation(serviceId, {});
      if (!conversation.blocked) targets.messages.updateConversation(conversation.id, { blocked: true });
    }
  }
  log.info('account.data_restored', { contacts, blocked: data.blocked.length });
  return { contacts };
}

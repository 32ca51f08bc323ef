/**
 * Test-only: an in-process Signal party with its own encrypted DB, real keys and a real cipher, plus
 * the prekey bundle JSON a server would hand out for it (built from the keys it "uploaded").
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { PublicKey } from '@signalapp/libsignal-client';
import type { SqlDatabase } from '../../vault/sql.js';
import { fromBase64 } from '../bytes.js';
import { encodeEnvelope, EnvelopeType } from '../proto/signal-service.js';
import type { PreKeyBundleJson } from '../cipher.js';
import { createPrimaryKeys, setLocalServiceIds, type PrimaryKeys } from '../keys.js';
import { SignalProtocolStores } from '../stores/index.js';
import { openTestDb } from '../../test-support/db.js';
import { SignalCipher, type OutgoingMessage } from './signal-cipher.js';

export interface Party {
  readonly name: string;
  readonly file: string;
  readonly aci: string;
  readonly pni: string;
  readonly deviceId: number;
  db: SqlDatabase;
  stores: SignalProtocolStores;
  cipher: SignalCipher;
  readonly keys: PrimaryKeys;
  /** Pop the next bundle the "server" would serve for this party (one-time keys used once each). */
  nextBundle(kind?: 'aci' | 'pni', withOneTime?: boolean): PreKeyBundleJson;
  /** Close and reopen the DB file (as after an app restart). */
  reopen(): void;
  close(): void;
}

export function createParty(
  dir: string,
  name: string,
  trustRoots: readonly PublicKey[],
  oneTime = 5,
  aci: string = randomUUID(),
): Party {
  const file = join(dir, `${name}.db`);
  const pni = `PNI:${randomUUID()}`;
  const db = openTestDb(file);
  const stores = new SignalProtocolStores(db);
  const keys = createPrimaryKeys(stores, oneTime);
  setLocalServiceIds(stores, aci, pni);
  const used = { aci: 0, pni: 0 };
  const party: Party = {
    name,
    file,
    aci,
    pni,
    deviceId: 1,
    db,
    stores,
    cipher: new SignalCipher(stores, { deviceId: 1, trustRoots }),
    keys,
    nextBundle(kind = 'aci', withOneTime = true) {
      const r = keys.registration;
      const oneTimeKeys = keys.oneTime[kind];
      const i = used[kind];
      used[kind] += 1;
      const preKey = withOneTime ? oneTimeKeys.preKeys[i] : undefined;
      const pqPreKey =
        (withOneTime ? oneTimeKeys.pqPreKeys[i] : undefined) ??
        (kind === 'aci' ? r.aciPqLastResortPreKey : r.pniPqLastResortPreKey);
      return {
        identityKey: kind === 'aci' ? r.aciIdentityKey : r.pniIdentityKey,
        devices: [
          {
            deviceId: 1,
            registrationId: kind === 'aci' ? r.registrationId : r.pniRegistrationId,
            signedPreKey: kind === 'aci' ? r.aciSignedPreKey : r.pniSignedPreKey,
            pqPreKey,
            preKey: preKey ?? null,
          },
        ],
      };
    },
    reopen() {
      party.stores.dispose();
      party.db.close();
      party.db = openTestDb(file);
      party.stores = new SignalProtocolStores(party.db);
      party.cipher = new SignalCipher(party.stores, { deviceId: 1, trustRoots });
    },
    close() {
      party.stores.dispose();
      if (party.db.open) party.db.close();
    },
  };
  return party;
}

/** What the server would deliver to `to` for one message `from` sent (sealed: no source fields). */
export function deliver(
  from: Party,
  to: Party,
  message: OutgoingMessage,
  timestamp = Date.now(),
  toKind: 'aci' | 'pni' = 'aci',
): Uint8Array {
  const sealed = message.type === EnvelopeType.UNIDENTIFIED_SENDER;
  return encodeEnvelope({
    type: message.type,
    ...(sealed ? {} : { sourceServiceId: from.aci, sourceDevice: from.deviceId }),
    destinationServiceId: toKind === 'aci' ? to.aci : to.pni,
    clientTimestamp: timestamp,
    serverTimestamp: timestamp,
    serverGuid: `guid-${timestamp}-${Math.random()}`,
    content: fromBase64(message.content),
  });
}

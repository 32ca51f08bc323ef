/**
 * Key material for registering a PRIMARY device and keeping its prekeys topped up. Everything is
 * persisted in the vault stores before any payload is returned for upload, so a crash after the upload
 * can never leave the server with public keys whose private halves we lost.
 *
 * The payload shapes are the chat server's JSON (checked against @signalapp/mock-server 27's
 * RegisterAccountSchema, AtomicLinkingDataSchema and DeviceKeysSchema): base64 (standard alphabet)
 * public keys and signatures, `keyId` numbers.
 */
import { randomInt } from 'node:crypto';
import {
  IdentityKeyPair,
  KEMKeyPair,
  KyberPreKeyRecord,
  PreKeyRecord,
  PrivateKey,
  SignedPreKeyRecord,
} from '@signalapp/libsignal-client';
import { PreconditionError, ProtocolError, ValidationError } from '../errors.js';
import { log } from '../log.js';
import { toBase64 } from './bytes.js';
import type { IdentityKind, SignalProtocolStores } from './stores/index.js';

export interface PreKeyJson {
  readonly keyId: number;
  readonly publicKey: string;
}

export interface SignedPreKeyJson {
  readonly keyId: number;
  readonly publicKey: string;
  readonly signature: string;
}

/** Body of `PUT /v2/keys?identity=aci|pni`. */
export interface PreKeyUpload {
  readonly preKeys: PreKeyJson[];
  readonly pqPreKeys: SignedPreKeyJson[];
  readonly signedPreKey?: SignedPreKeyJson;
  readonly pqLastResortPreKey?: SignedPreKeyJson;
}

/** The key fields of `POST /v1/registration` (merge into the body with sessionId, accountAttributes...). */
export interface RegistrationKeys {
  readonly registrationId: number;
  readonly pniRegistrationId: number;
  readonly aciIdentityKey: string;
  readonly pniIdentityKey: string;
  readonly aciSignedPreKey: SignedPreKeyJson;
  readonly aciPqLastResortPreKey: SignedPreKeyJson;
  readonly pniSignedPreKey: SignedPreKeyJson;
  readonly pniPqLastResortPreKey: SignedPreKeyJson;
}

export interface PrimaryKeys {
  readonly registration: RegistrationKeys;
  /** One-time prekeys to upload with `PUT /v2/keys?identity=aci` / `?identity=pni` once registered. */
  readonly oneTime: { readonly aci: PreKeyUpload; readonly pni: PreKeyUpload };
}

/** Server counts from `GET /v2/keys?identity=...`. */
export interface ServerPreKeyCounts {
  readonly count: number;
  readonly pqCount: number;
}

// Signal's schedule, from Signal-Desktop ts/textsecure/AccountManager.ts: PRE_KEY_GEN_BATCH_SIZE = 100,
// PRE_KEY_MINIMUM = 10, SIGNED_PRE_KEY_ROTATION_AGE = 1.5 days, SIGNED_PRE_KEY_ARCHIVE_AGE = 30 days.
const DAY_MS = 24 * 60 * 60 * 1000;
export const PREKEY_BATCH_SIZE = 100;
/** Below this many one-time keys (EC or Kyber) on the server we upload a new batch. */
const PREKEY_MINIMUM = 10;
/** Signed and last-resort prekeys are rotated after this age. */
export const SIGNED_PREKEY_ROTATION_MS = 1.5 * DAY_MS;
/** Old signed/last-resort prekeys are kept this long for messages still in flight. */
const SIGNED_PREKEY_KEEP_MS = 30 * DAY_MS;

/** A registration id: 14 bits, never 0 (as libsignal and the server expect). */
function generateRegistrationId(): number {
  return randomInt(1, 0x3fff);
}

function signedJson(id: number, publicKey: Uint8Array, signature: Uint8Array): SignedPreKeyJson {
  return { keyId: id, publicKey: toBase64(publicKey), signature: toBase64(signature) };
}

/** Generate, persist and describe a new signed EC prekey for `kind`, signed by its identity key. */
export function createSignedPreKey(
  stores: SignalProtocolStores,
  kind: IdentityKind,
  now = Date.now(),
): SignedPreKeyJson {
  const s = stores.of(kind);
  const identity = s.identity.localKeyPair();
  const [id] = stores.allocateIds(kind, 'signed', 1) as [number];
  const priv = PrivateKey.generate();
  const pub = priv.getPublicKey();
  const signature = identity.privateKey.sign(pub.serialize());
  s.signedPreKeys.saveSync(id, SignedPreKeyRecord.new(id, now, pub, priv, signature));
  return signedJson(id, pub.serialize(), signature);
}

function createKyberPreKeys(
  stores: SignalProtocolStores,
  kind: IdentityKind,
  count: number,
  lastResort: boolean,
  now: number,
): SignedPreKeyJson[] {
  const s = stores.of(kind);
  const identity = s.identity.localKeyPair();
  const ids = stores.allocateIds(kind, 'kyber', count);
  const out: SignedPreKeyJson[] = [];
  const records: [number, KyberPreKeyRecord][] = [];
  for (const id of ids) {
    const pair = KEMKeyPair.generate();
    const pub = pair.getPublicKey().serialize();
    const signature = identity.privateKey.sign(pub);
    records.push([id, KyberPreKeyRecord.new(id, now, pair, signature)]);
    out.push(signedJson(id, pub, signature));
  }
  stores.transaction(() => {
    for (const [id, record] of records) s.kyberPreKeys.saveSync(id, record, lastResort);
  });
  return out;
}

/** Generate, persist and describe a new Kyber last-resort prekey for `kind`. */
export function createLastResortKyberPreKey(
  stores: SignalProtocolStores,
  kind: IdentityKind,
  now = Date.now(),
): SignedPreKeyJson {
  return createKyberPreKeys(stores, kind, 1, true, now)[0] as SignedPreKeyJson;
}

/** A batch of one-time EC and Kyber prekeys for `kind`, persisted, as the upload body. */
export function generateOneTimePreKeys(
  stores: SignalProtocolStores,
  kind: IdentityKind,
  count = PREKEY_BATCH_SIZE,
  now = Date.now(),
): PreKeyUpload {
  if (!Number.isInteger(count) || count < 1 || count > 1000)
    throw new ValidationError('Prekey batch size out of range.');
  const s = stores.of(kind);
  const ids = stores.allocateIds(kind, 'prekey', count);
  const preKeys: PreKeyJson[] = [];
  const records: [number, PreKeyRecord][] = [];
  for (const id of ids) {
    const priv = PrivateKey.generate();
    const pub = priv.getPublicKey();
    records.push([id, PreKeyRecord.new(id, pub, priv)]);
    preKeys.push({ keyId: id, publicKey: toBase64(pub.serialize()) });
  }
  stores.transaction(() => {
    for (const [id, record] of records) s.preKeys.saveSync(id, record);
  });
  const pqPreKeys = createKyberPreKeys(stores, kind, count, false, now);
  return { preKeys, pqPreKeys };
}

/**
 * Everything a new PRIMARY device needs: ACI and PNI identity key pairs and registration ids, a signed
 * prekey and a Kyber last-resort prekey per identity, and a batch of one-time prekeys per identity.
 * Service ids are not known before the server answers; set them with `setLocalServiceIds`.
 * Refuses to overwrite an existing identity (that would orphan every session).
 */
export function createPrimaryKeys(
  stores: SignalProtocolStores,
  oneTimeCount = PREKEY_BATCH_SIZE,
): PrimaryKeys {
  if (stores.aci.identity.hasLocalIdentity() || stores.pni.identity.hasLocalIdentity()) {
    throw new PreconditionError('This vault already has Signal identity keys.');
  }
  const registrationId = generateRegistrationId();
  let pniRegistrationId = generateRegistrationId();
  while (pniRegistrationId === registrationId) pniRegistrationId = generateRegistrationId();
  const aciPair = IdentityKeyPair.generate();
  const pniPair = IdentityKeyPair.generate();
  stores.transaction(() => {
    stores.aci.identity.setLocalIdentity('', aciPair, registrationId);
    stores.pni.identity.setLocalIdentity('', pniPair, pniRegistrationId);
  });
  const registration: RegistrationKeys = {
    registrationId,
    pniRegistrationId,
    aciIdentityKey: toBase64(aciPair.publicKey.serialize()),
    pniIdentityKey: toBase64(pniPair.publicKey.serialize()),
    aciSignedPreKey: createSignedPreKey(stores, 'aci'),
    aciPqLastResortPreKey: createLastResortKyberPreKey(stores, 'aci'),
    pniSignedPreKey: createSignedPreKey(stores, 'pni'),
    pniPqLastResortPreKey: createLastResortKyberPreKey(stores, 'pni'),
  };
  const oneTime = {
    aci: generateOneTimePreKeys(stores, 'aci', oneTimeCount),
    pni: generateOneTimePreKeys(stores, 'pni', oneTimeCount),
  };
  log.info('signal.keys.primary-created', { oneTimeCount });
  return { registration, oneTime };
}

/** Record the ACI and PNI the server assigned (`POST /v1/registration` answer: uuid, pni). */
export function setLocalServiceIds(stores: SignalProtocolStores, aci: string, pni: string): void {
  stores.transaction(() => {
    stores.aci.identity.setLocalServiceId(aci);
    stores.pni.identity.setLocalServiceId(pni.startsWith('PNI:') ? pni : `PNI:${pni}`);
  });
}

/** Whether the server's counts call for a new one-time batch. */
export function needsOneTimePreKeys(counts: ServerPreKeyCounts, minimum = PREKEY_MINIMUM): boolean {
  return counts.count < minimum || counts.pqCount < minimum;
}

export interface ReplenishOptions {
  readonly minimum?: number;
  readonly batchSize?: number;
  readonly now?: number;
  readonly rotateAfterMs?: number;
  /** Rotate whatever the keys' age (an earlier rotation's upload failed, so the server has the old keys). */
  readonly forceRotation?: boolean;
}

/**
 * Decide from the server's counts (and the age of our signed/last-resort keys) what to upload for one
 * identity: a fresh one-time batch when either count is below the minimum, a new signed prekey and
 * last-resort Kyber key when the current ones are older than the rotation age. New keys are persisted
 * first; the returned body is for `PUT /v2/keys?identity=<kind>`. Null when nothing is needed.
 *
 * A rotation carries a fresh one-time batch too: an upload replaces the server's one-time keys (the mock
 * server replaces them on every upload, even with an empty list; Signal's server on a non-empty one), so a
 * rotation alone would leave the demo server with none. The replaced keys stay in the vault, so a session
 * a contact already started from one still decrypts.
 */
export function replenishPreKeys(
  stores: SignalProtocolStores,
  kind: IdentityKind,
  counts: ServerPreKeyCounts,
  options: ReplenishOptions = {},
): PreKeyUpload | null {
  const now = options.now ?? Date.now();
  const minimum = options.minimum ?? PREKEY_MINIMUM;
  const rotateAfter = options.rotateAfterMs ?? SIGNED_PREKEY_ROTATION_MS;
  if (
    !Number.isInteger(counts.count) ||
    !Number.isInteger(counts.pqCount) ||
    counts.count < 0 ||
    counts.pqCount < 0
  ) {
    throw new ProtocolError('Invalid prekey counts from the server.');
  }
  const s = stores.of(kind);
  const signed = s.signedPreKeys.newest();
  const lastResort = s.kyberPreKeys.newestLastResort();
  const rotate =
    options.forceRotation === true ||
    !signed ||
    !lastResort ||
    now - signed.createdAt >= rotateAfter ||
    now - lastResort.createdAt >= rotateAfter;
  const oneTime = needsOneTimePreKeys(counts, minimum);
  if (!rotate && !oneTime) return null;

  let upload: PreKeyUpload = { preKeys: [], pqPreKeys: [] };
  if (oneTime || rotate)
    upload = generateOneTimePreKeys(stores, kind, options.batchSize ?? PREKEY_BATCH_SIZE, now);
  if (rotate) {
    upload = {
      ...upload,
      signedPreKey: createSignedPreKey(stores, kind, now),
      pqLastResortPreKey: createLastResortKyberPreKey(stores, kind, now),
    };
    s.signedPreKeys.prune(now - SIGNED_PREKEY_KEEP_MS);
    s.kyberPreKeys.pruneLastResort(now - SIGNED_PREKEY_KEEP_MS);
  }
  log.info('signal.keys.replenish', {
    kind,
    oneTime: upload.preKeys.length,
    rotated: rotate,
  });
  return upload;
}

/**
 * Safety numbers, computed by libsignal's Fingerprint the way Signal's apps do for ACIs: 5200 hash
 * iterations, fingerprint version 2, identifiers = the 16 raw UUID bytes of each ACI. The displayable
 * form is 60 digits shown as 12 groups of 5; the scannable form is the QR payload.
 */
import { Aci, Fingerprint, PublicKey, ScannableFingerprint } from '@signalapp/libsignal-client';
import { ProtocolError, ValidationError } from '../errors.js';
import { log } from '../log.js';
import { ownBytes } from './bytes.js';
import { VerifiedStatus, type SignalProtocolStores } from './stores/index.js';

const ITERATIONS = 5200;
const SERVICE_ID_VERSION = 2;
const GROUP = 5;

export interface SafetyNumber {
  /** 60 digits. */
  readonly digits: string;
  /** 12 groups of 5 digits. */
  readonly groups: readonly string[];
  /** The bytes to render as the QR code. */
  readonly qrPayload: Uint8Array;
  /** Their identity key this number was computed with (serialized); verify against exactly this key. */
  readonly theirIdentityKey: Uint8Array;
}

export type ScanResult = 'match' | 'mismatch' | 'invalid';

function aciBytes(aci: string): Uint8Array<ArrayBuffer> {
  try {
    return Aci.parseFromServiceIdString(aci).getRawUuidBytes();
  } catch (error) {
    throw new ValidationError('Safety numbers need ACIs.', { cause: error });
  }
}

function fingerprint(ourAci: string, ourKey: PublicKey, theirAci: string, theirKey: PublicKey): Fingerprint {
  return Fingerprint.new(
    ITERATIONS,
    SERVICE_ID_VERSION,
    aciBytes(ourAci),
    ourKey,
    aciBytes(theirAci),
    theirKey,
  );
}

export function computeSafetyNumber(
  ourAci: string,
  ourKey: PublicKey,
  theirAci: string,
  theirKey: PublicKey,
): SafetyNumber {
  const fp = fingerprint(ourAci, ourKey, theirAci, theirKey);
  const digits = fp.displayableFingerprint().toString();
  const groups: string[] = [];
  for (let i = 0; i < digits.length; i += GROUP) groups.push(digits.slice(i, i + GROUP));
  return {
    digits,
    groups,
    qrPayload: fp.scannableFingerprint().toBuffer(),
    theirIdentityKey: theirKey.serialize(),
  };
}

function keysFor(
  stores: SignalProtocolStores,
  theirAci: string,
): { ourAci: string; ourKey: PublicKey; theirKey: PublicKey } {
  const identity = stores.aci.identity;
  const remote = identity.getRemoteIdentity(theirAci);
  if (!remote) throw new ProtocolError('No identity key known for this contact yet.');
  return {
    ourAci: identity.localServiceId(),
    ourKey: identity.localKeyPair().publicKey,
    theirKey: remote.publicKey,
  };
}

/** The safety number with a contact, from our ACI identity and their stored identity key. */
export function safetyNumberFor(stores: SignalProtocolStores, theirAci: string): SafetyNumber {
  const { ourAci, ourKey, theirKey } = keysFor(stores, theirAci);
  return computeSafetyNumber(ourAci, ourKey, theirAci, theirKey);
}

/**
 * Compare a QR payload scanned from the contact's screen with ours. On a match the contact is marked
 * verified (for the key that matched). 'invalid' = not a safety-number QR of a version we speak.
 */
export function compareScanned(
  stores: SignalProtocolStores,
  theirAci: string,
  scanned: Uint8Array,
): ScanResult {
  const { ourAci, ourKey, theirKey } = keysFor(stores, theirAci);
  const ours = fingerprint(ourAci, ourKey, theirAci, theirKey).scannableFingerprint();
  let same: boolean;
  try {
    same = ours.compare(ScannableFingerprint._fromBuffer(ownBytes(scanned)));
  } catch {
    log.info('signal.safety-number.scan', { result: 'invalid' });
    return 'invalid';
  }
  log.info('signal.safety-number.scan', { result: same ? 'match' : 'mismatch' });
  if (same) stores.aci.identity.setVerified(theirAci, VerifiedStatus.Verified, theirKey);
  return same ? 'match' : 'mismatch';
}

/**
 * Mark a contact verified after the user compared `shown` (the number on screen). Returns false, and
 * changes nothing, if their key changed since that number was computed.
 */
export function markVerified(stores: SignalProtocolStores, theirAci: string, shown: SafetyNumber): boolean {
  return stores.aci.identity.setVerified(
    theirAci,
    VerifiedStatus.Verified,
    PublicKey.deserialize(ownBytes(shown.theirIdentityKey)),
  );
}

/** Revoke verification (the user un-ticked "verified"). */
export function markUnverified(stores: SignalProtocolStores, theirAci: string): boolean {
  return stores.aci.identity.setVerified(theirAci, VerifiedStatus.Unverified);
}

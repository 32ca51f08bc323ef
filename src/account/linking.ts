/**
 * Linking as a SECONDARY device to an existing phone (Signal's provisioning flow, as served by Signal's
 * chat server and @signalapp/mock-server 27):
 *
 * 1. Open the unauthenticated provisioning socket `/v1/websocket/provisioning/`; the server sends
 *    `PUT /v1/address` with our provisioning address.
 * 2. Show `sgnl://linkdevice?uuid=<address>&pub_key=<our ephemeral public key>` as a QR code; the phone
 *    scans it and the server relays its encrypted ProvisionMessage as `PUT /v1/message`.
 * 3. Decrypt (ECDH + HKDF "TextSecure Provisioning Message" → AES-256-CBC + HMAC-SHA256), store the
 *    account's identity keys in the vault, create this device's signed and last-resort prekeys.
 * 4. `PUT /v1/devices/link` (Basic aci:newPassword) with the provisioning code → our device id.
 * 5. Upload one-time prekeys for ACI and PNI over the authenticated socket.
 *
 * The seed guide recommends the standalone (primary) mode; linking gives a secondary device the
 * account's identity keys, so compromise of this computer compromises the account.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { IdentityKeyPair, PrivateKey, PublicKey, hkdf } from '@signalapp/libsignal-client';
import { DecryptionError, NetworkError, ProtocolError, ServerError, isCarapaceError } from '../errors.js';
import { errorFields, log } from '../log.js';
import { openChatConnection, parseJsonBody, type ChatConnection } from '../net/chat-connection.js';
import type { ClientConfig } from '../net/config.js';
import { basicAuthHeader } from '../net/rest.js';
import type { SocketOpener } from '../net/socket-opener.js';
import {
  generateOneTimePreKeys,
  generateRegistrationId,
  importIdentity,
  setLocalServiceIds,
} from '../signal/keys.js';
import type { SignalProtocolStores } from '../signal/stores.js';
import {
  decodeProvisionEnvelope,
  decodeProvisionMessage,
  decodeProvisioningAddress,
  type ProvisionEnvelope,
  type ProvisionMessage,
} from './provisioning-proto.js';
import { uploadPreKeys } from './registration.js';

const PROVISIONING_INFO = 'TextSecure Provisioning Message';

export interface LinkSecondaryOptions {
  readonly config: ClientConfig;
  readonly openSocket: SocketOpener;
  /** The vault's libsignal stores; must not hold an identity yet. */
  readonly stores: SignalProtocolStores;
  /** Called with the `sgnl://linkdevice?...` URL to show as a QR code (may be called once). */
  readonly onProvisioningUrl: (url: string) => void;
  /** Device name sent to the server (opaque to it). */
  readonly deviceName?: string;
  /** How long to wait for the phone. Default 5 minutes. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly oneTimePreKeyCount?: number;
}

export interface LinkedAccount {
  readonly aci: string;
  readonly pni: string;
  readonly deviceId: number;
  /** Chat-service password: store it in the vault. */
  readonly password: string;
  readonly registrationId: number;
  readonly pniRegistrationId: number;
  /** Account secrets from the phone: store them in the vault, then wipe these buffers. */
  readonly profileKey?: Uint8Array;
  readonly masterKey?: Uint8Array;
  readonly accountEntropyPool?: string;
}

/** Decrypts a ProvisionEnvelope body with our ephemeral private key. Bad MAC/format → DecryptionError. */
export function decryptProvisionEnvelope(envelope: ProvisionEnvelope, ours: PrivateKey): ProvisionMessage {
  const body = Buffer.from(envelope.body);
  if (body.length < 1 + 16 + 16 + 32 || body[0] !== 1) throw new DecryptionError('Bad provisioning envelope');
  let theirs: PublicKey;
  try {
    theirs = PublicKey.deserialize(Buffer.from(envelope.publicKey));
  } catch (error) {
    throw new DecryptionError('Bad provisioning public key', { cause: error });
  }
  const agreement = ours.agree(theirs);
  const secrets = Buffer.from(hkdf(64, agreement, Buffer.from(PROVISIONING_INFO), null));
  const aesKey = secrets.subarray(0, 32);
  const macKey = secrets.subarray(32);
  try {
    const signed = body.subarray(0, body.length - 32);
    const mac = body.subarray(body.length - 32);
    const expected = createHmac('sha256', macKey).update(signed).digest();
    if (!timingSafeEqual(mac, expected)) throw new DecryptionError('Provisioning envelope MAC mismatch');
    const iv = body.subarray(1, 17);
    const decipher = createDecipheriv('aes-256-cbc', aesKey, iv);
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(body.subarray(17, body.length - 32)), decipher.final()]);
    } catch (error) {
      throw new DecryptionError('Provisioning envelope does not decrypt', { cause: error });
    }
    try {
      return decodeProvisionMessage(plain);
    } finally {
      plain.fill(0);
    }
  } finally {
    secrets.fill(0);
    agreement.fill(0);
  }
}

/** The phone's side, for tests and demos: encrypts a ProvisionMessage to the QR's public key. */
export function encryptProvisionMessageForTest(plain: Uint8Array, theirs: PublicKey): ProvisionEnvelope {
  const ephemeral = PrivateKey.generate();
  const secrets = Buffer.from(hkdf(64, ephemeral.agree(theirs), Buffer.from(PROVISIONING_INFO), null));
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', secrets.subarray(0, 32), iv);
  const signed = Buffer.concat([Buffer.from([1]), iv, cipher.update(plain), cipher.final()]);
  const mac = createHmac('sha256', secrets.subarray(32)).update(signed).digest();
  return { publicKey: ephemeral.getPublicKey().serialize(), body: Buffer.concat([signed, mac]) };
}

function uuidFromBinary(bytes: Uint8Array | undefined): string | undefined {
  if (!bytes || bytes.length !== 16) return undefined;
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Waits on the provisioning socket for the address (→ QR) and then the phone's envelope. */
async function receiveEnvelope(options: LinkSecondaryOptions, ours: PrivateKey): Promise<ProvisionEnvelope> {
  let resolveEnvelope!: (e: ProvisionEnvelope) => void;
  let rejectEnvelope!: (e: Error) => void;
  const envelopePromise = new Promise<ProvisionEnvelope>((resolve, reject) => {
    resolveEnvelope = resolve;
    rejectEnvelope = reject;
  });
  const publicKey = Buffer.from(ours.getPublicKey().serialize()).toString('base64');
  const connection: ChatConnection = await openChatConnection({
    endpoint: options.config.chat,
    trustRootsPem: options.config.tlsTrustRootsPem,
    openSocket: options.openSocket,
    path: '/v1/websocket/provisioning/',
    keepaliveIntervalMs: 0,
    ...(options.signal ? { signal: options.signal } : {}),
    onRequest: (request) => {
      try {
        if (request.verb === 'PUT' && request.path === '/v1/address' && request.body) {
          const address = decodeProvisioningAddress(request.body);
          options.onProvisioningUrl(
            `sgnl://linkdevice?uuid=${encodeURIComponent(address)}&pub_key=${encodeURIComponent(publicKey)}`,
          );
          return Promise.resolve(200);
        }
        if (request.verb === 'PUT' && request.path === '/v1/message' && request.body) {
          resolveEnvelope(decodeProvisionEnvelope(request.body));
          return Promise.resolve(200);
        }
      } catch (error) {
        rejectEnvelope(error instanceof Error ? error : new ProtocolError('Bad provisioning request'));
        return Promise.resolve(400);
      }
      return Promise.resolve(404);
    },
  });
  const timeout = setTimeout(
    () => rejectEnvelope(new NetworkError('The phone did not complete linking in time')),
    options.timeoutMs ?? 5 * 60_000,
  );
  const onAbort = (): void => rejectEnvelope(new NetworkError('Linking cancelled'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  void connection.closed.then((info) =>
    rejectEnvelope(info.error ?? new NetworkError('The provisioning connection closed')),
  );
  try {
    return await envelopePromise;
  } finally {
    clearTimeout(timeout);
    options.signal?.removeEventListener('abort', onAbort);
    await connection.close();
  }
}

/**
 * Links this app as a secondary device of the phone that scans the QR code. Throws NetworkError
 * (timeout, cancel, connection), ProtocolError (malformed messages), DecryptionError (envelope not for
 * us / tampered), ServerError (link refused).
 */
export async function linkSecondaryDevice(options: LinkSecondaryOptions): Promise<LinkedAccount> {
  const ephemeral = PrivateKey.generate();
  let message: ProvisionMessage | undefined;
  let password: Buffer | undefined;
  try {
    const envelope = await receiveEnvelope(options, ephemeral);
    message = decryptProvisionEnvelope(envelope, ephemeral);
    const aci = uuidFromBinary(message.aciBinary);
    const pniUuid = uuidFromBinary(message.pniBinary);
    if (
      !aci ||
      !pniUuid ||
      !message.provisioningCode ||
      !message.aciIdentityKeyPrivate ||
      !message.aciIdentityKeyPublic ||
      !message.pniIdentityKeyPrivate ||
      !message.pniIdentityKeyPublic
    ) {
      throw new ProtocolError('The provisioning message lacks account keys or ids');
    }
    const pni = `PNI:${pniUuid}`;
    const registrationId = generateRegistrationId();
    let pniRegistrationId = generateRegistrationId();
    while (pniRegistrationId === registrationId) pniRegistrationId = generateRegistrationId();
    const aciPair = new IdentityKeyPair(
      PublicKey.deserialize(Buffer.from(message.aciIdentityKeyPublic)),
      PrivateKey.deserialize(Buffer.from(message.aciIdentityKeyPrivate)),
    );
    const pniPair = new IdentityKeyPair(
      PublicKey.deserialize(Buffer.from(message.pniIdentityKeyPublic)),
      PrivateKey.deserialize(Buffer.from(message.pniIdentityKeyPrivate)),
    );
    const { stores } = options;
    const aciKeys = importIdentity(stores, 'aci', aci, aciPair, registrationId);
    const pniKeys = importIdentity(stores, 'pni', pni, pniPair, pniRegistrationId);
    setLocalServiceIds(stores, aci, pni);

    password = randomBytes(18);
    const passwordText = password.toString('base64url');
    const endpoint = {
      endpoint: options.config.chat,
      trustRootsPem: options.config.tlsTrustRootsPem,
      openSocket: options.openSocket,
    };
    const unauthenticated = await openChatConnection({ ...endpoint, keepaliveIntervalMs: 0 });
    let deviceId: number;
    try {
      const response = await unauthenticated.request({
        verb: 'PUT',
        path: '/v1/devices/link',
        headers: [`authorization:${basicAuthHeader({ username: aci, password: passwordText })}`],
        json: {
          verificationCode: message.provisioningCode,
          accountAttributes: {
            fetchesMessages: true,
            registrationId,
            pniRegistrationId,
            name: Buffer.from(options.deviceName ?? 'Carapace', 'utf8').toString('base64'),
            capabilities: { attachmentBackfill: false, spqr: true, usernameChangeSyncMessage: true },
          },
          aciSignedPreKey: aciKeys.signedPreKey,
          aciPqLastResortPreKey: aciKeys.pqLastResortPreKey,
          pniSignedPreKey: pniKeys.signedPreKey,
          pniPqLastResortPreKey: pniKeys.pqLastResortPreKey,
        },
      });
      if (response.status < 200 || response.status > 299) {
        throw new ServerError(`The server answered ${response.status} to linking`, response.status);
      }
      const body = parseJsonBody(response) as Record<string, unknown> | undefined;
      if (typeof body?.deviceId !== 'number' || body.uuid !== aci) {
        throw new ProtocolError('The link answer lacks the device id');
      }
      deviceId = body.deviceId;
    } finally {
      await unauthenticated.close();
    }

    const authenticated = await openChatConnection({
      ...endpoint,
      auth: { username: `${aci}.${deviceId}`, password: passwordText },
      keepaliveIntervalMs: 0,
    });
    try {
      const count = options.oneTimePreKeyCount ?? 100;
      await uploadPreKeys(authenticated, 'aci', generateOneTimePreKeys(stores, 'aci', count));
      await uploadPreKeys(authenticated, 'pni', generateOneTimePreKeys(stores, 'pni', count));
    } finally {
      await authenticated.close();
    }
    log.info('account.linking.done', { deviceId });
    return {
      aci,
      pni,
      deviceId,
      password: passwordText,
      registrationId,
      pniRegistrationId,
      ...(message.profileKey ? { profileKey: new Uint8Array(message.profileKey) } : {}),
      ...(message.masterKey ? { masterKey: new Uint8Array(message.masterKey) } : {}),
      ...(message.accountEntropyPool ? { accountEntropyPool: message.accountEntropyPool } : {}),
    };
  } catch (error) {
    log.warn('account.linking.failed', errorFields(error));
    throw isCarapaceError(error) ? error : new NetworkError('Linking failed', { cause: error });
  } finally {
    password?.fill(0);
    if (message) {
      for (const key of [
        message.aciIdentityKeyPrivate,
        message.pniIdentityKeyPrivate,
        message.profileKey,
        message.masterKey,
        message.ephemeralBackupKey,
        message.mediaRootBackupKey,
      ]) {
        key?.fill(0);
      }
    }
  }
}

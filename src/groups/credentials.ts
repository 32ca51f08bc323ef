/**
 * The zero-knowledge credentials the group service takes instead of our identity:
 * - the group auth credential (`GET /v1/certificate/auth/group`, AuthCredentialWithPniResponse, one per
 *   day): presented per group, it proves "a member of this group" without telling the server who;
 * - our expiring profile key credential (`GET /v1/profile/<aci>/<version>/<request>`,
 *   credentialType=expiringProfileKey): presented when we join, it puts our profile key into the group
 *   encrypted, so members can read our profile.
 * Both come over the authenticated chat socket. Auth credentials are kept in memory for the day they are
 * valid (dropped with the client on lock); nothing here is written to disk.
 */
import { Aci, Pni } from '@signalapp/libsignal-client';
import {
  AuthCredentialWithPniResponse,
  ClientZkAuthOperations,
  ClientZkProfileOperations,
  ExpiringProfileKeyCredentialResponse,
  NotarySignature,
  ProfileKey,
  ServerPublicParams,
  type AuthCredentialWithPni,
  type GroupSecretParams,
} from '@signalapp/libsignal-client/dist/zkgroup/index.js';
import { z } from 'zod';
import { NotRegisteredError, ProtocolError, ServerError } from '../errors.js';
import type { ChatRequester } from '../messaging/delivery.js';

const DAY_SECONDS = 86_400;
/** How many days of auth credentials one request asks for (Signal asks for 7). */
const DAYS_AHEAD = 7;

const AuthAnswerSchema = z.object({
  credentials: z
    .array(z.object({ credential: z.string().max(4096), redemptionTime: z.number().int() }))
    .max(64),
});
const ProfileAnswerSchema = z.object({ credential: z.string().max(4096).nullish() }).passthrough();

export interface GroupCredentialOptions {
  readonly request: ChatRequester;
  /** zkgroup ServerPublicParams, base64 (ClientConfig.serverPublicParams). */
  readonly serverPublicParams: string;
  readonly aci: string;
  /** "PNI:<uuid>": auth credentials carry our PNI too (invitations to our PNI). */
  readonly pni: string | undefined;
  /** Our current profile key (null before registration finished). */
  readonly profileKey: () => Uint8Array | null;
  readonly clock: () => number;
}

function json(body: Uint8Array | undefined, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(body ?? []).toString('utf8'));
  } catch (error) {
    throw new ProtocolError(`Malformed ${what}.`, { cause: error });
  }
}

export class GroupCredentials {
  private readonly params: ServerPublicParams;
  /** Auth credentials by redemption day (seconds). */
  private auth = new Map<number, AuthCredentialWithPni>();

  constructor(private readonly options: GroupCredentialOptions) {
    this.params = new ServerPublicParams(Buffer.from(options.serverPublicParams, 'base64'));
  }

  /** Today's auth credential presented for one group: the group service's Basic password. */
  async authPresentation(secretParams: GroupSecretParams): Promise<Uint8Array> {
    const credential = await this.todaysCredential();
    const ops = new ClientZkAuthOperations(this.params);
    return ops.createAuthCredentialWithPniPresentation(secretParams, credential).serialize();
  }

  /** Our expiring profile key credential, fetched now and presented for one group (joining it). */
  async profileKeyPresentation(secretParams: GroupSecretParams): Promise<Uint8Array> {
    const keyBytes = this.options.profileKey();
    if (!keyBytes) throw new NotRegisteredError('This device has no profile key; register it again.');
    return this.presentationFor(secretParams, this.options.aci, keyBytes);
  }

  /**
   * A contact's expiring profile key credential (we hold their profile key), presented for one group:
   * how a creator adds members directly. ProtocolError/ServerError when the server issues none (their
   * key is out of date, or they have no profile): the caller invites them instead.
   */
  async presentationFor(
    secretParams: GroupSecretParams,
    aciText: string,
    keyBytes: Uint8Array,
  ): Promise<Uint8Array> {
    const aci = Aci.parseFromServiceIdString(aciText);
    const profileKey = new ProfileKey(Buffer.from(keyBytes));
    const ops = new ClientZkProfileOperations(this.params);
    const context = ops.createProfileKeyCredentialRequestContext(aci, profileKey);
    const version = profileKey.getProfileKeyVersion(aci).toString();
    const requestHex = Buffer.from(context.getRequest().serialize()).toString('hex');
    const response = await this.options.request({
      verb: 'GET',
      path: `/v1/profile/${aciText}/${version}/${requestHex}?credentialType=expiringProfileKey`,
    });
    if (response.status !== 200) {
      throw new ServerError('The server did not issue a profile key credential.', response.status);
    }
    const answer = ProfileAnswerSchema.safeParse(json(response.body, 'profile answer'));
    // No credential: the server has no commitment for this key (the profile was never uploaded with it).
    if (!answer.success || !answer.data.credential) {
      throw new ProtocolError('The server sent no profile key credential.');
    }
    try {
      const issued = new ExpiringProfileKeyCredentialResponse(Buffer.from(answer.data.credential, 'base64'));
      const credential = ops.receiveExpiringProfileKeyCredential(
        context,
        issued,
        new Date(this.options.clock()),
      );
      return ops.createExpiringProfileKeyCredentialPresentation(secretParams, credential).serialize();
    } catch (error) {
      throw new ProtocolError('The server sent an invalid profile key credential.', { cause: error });
    }
  }

  /**
   * Check the server's signature on a group change (its encoded actions): a change that claims to come
   * from the group service but was not signed by it is refused (ProtocolError) and nothing is applied.
   */
  verifyChange(actions: Uint8Array, signature: Uint8Array): void {
    try {
      this.params.verifySignature(Buffer.from(actions), new NotarySignature(Buffer.from(signature)));
    } catch (error) {
      throw new ProtocolError('A group change does not carry the group service’s signature.', {
        cause: error,
      });
    }
  }

  private async todaysCredential(): Promise<AuthCredentialWithPni> {
    const today = Math.floor(this.options.clock() / 1000 / DAY_SECONDS) * DAY_SECONDS;
    const cached = this.auth.get(today);
    if (cached) return cached;
    const { pni } = this.options;
    if (!pni) throw new NotRegisteredError('This device has no phone number identity; register it again.');
    const end = today + DAYS_AHEAD * DAY_SECONDS;
    const response = await this.options.request({
      verb: 'GET',
      path: `/v1/certificate/auth/group?redemptionStartSeconds=${today}&redemptionEndSeconds=${end}`,
    });
    if (response.status !== 200) {
      throw new ServerError('The server did not issue group credentials.', response.status);
    }
    const answer = AuthAnswerSchema.safeParse(json(response.body, 'group credentials'));
    if (!answer.success) throw new ProtocolError('Malformed group credentials.');
    const ops = new ClientZkAuthOperations(this.params);
    const aci = Aci.parseFromServiceIdString(this.options.aci);
    const ourPni = Pni.parseFromServiceIdString(pni);
    const fresh = new Map<number, AuthCredentialWithPni>();
    for (const { credential, redemptionTime } of answer.data.credentials) {
      if (redemptionTime < today || redemptionTime > end || redemptionTime % DAY_SECONDS !== 0) continue;
      try {
        const issued = new AuthCredentialWithPniResponse(Buffer.from(credential, 'base64'));
        fresh.set(
          redemptionTime,
          ops.receiveAuthCredentialWithPniAsServiceId(aci, ourPni, redemptionTime, issued),
        );
      } catch (error) {
        throw new ProtocolError('The server sent an invalid group credential.', { cause: error });
      }
    }
    this.auth = fresh;
    const credential = fresh.get(today);
    if (!credential) throw new ProtocolError('The server sent no group credential for today.');
    return credential;
  }
}

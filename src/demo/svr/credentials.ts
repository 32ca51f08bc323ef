/**
 * Demo SVR credentials (what Signal's server hands out as `svr2Credentials`): a username bound to the
 * account's ACI — stable across re-registration, because the PIN hash is salted with it — and a
 * time-stamped password MAC'd with a per-server secret. Valid for 30 days, as Signal's are.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface SvrCredentials {
  readonly username: string;
  readonly password: string;
}

const SVR_CREDENTIAL_LIFETIME_MS = 30 * 24 * 3_600_000;

export class SvrCredentialIssuer {
  private readonly secret: Buffer;
  private readonly now: () => number;

  constructor(options: { secret?: Uint8Array; now?: () => number } = {}) {
    this.secret = Buffer.from(options.secret ?? randomBytes(32));
    this.now = options.now ?? Date.now;
  }

  usernameFor(aci: string): string {
    return this.mac(`svr-username:${aci}`).subarray(0, 16).toString('hex');
  }

  issue(aci: string): SvrCredentials {
    const username = this.usernameFor(aci);
    const issuedAt = this.now();
    return {
      username,
      password: `${issuedAt}:${this.mac(`svr-password:${username}:${issuedAt}`).toString('hex')}`,
    };
  }

  /** The username when the credentials are genuine and unexpired, else undefined. */
  verify(username: string, password: string): string | undefined {
    const match = /^(\d{1,16}):([0-9a-f]{64})$/.exec(password);
    if (!match || !/^[0-9a-f]{32}$/.test(username)) return undefined;
    const issuedAt = Number(match[1]);
    const expected = this.mac(`svr-password:${username}:${issuedAt}`);
    const given = Buffer.from(match[2]!, 'hex');
    if (!timingSafeEqual(expected, given)) return undefined;
    const age = this.now() - issuedAt;
    if (age < 0 || age > SVR_CREDENTIAL_LIFETIME_MS) return undefined;
    return username;
  }

  /** Parse `Authorization: Basic base64(username:password)` and verify it. */
  verifyBasicAuth(header: string | undefined): string | undefined {
    if (!header) return undefined;
    const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
    if (!match) return undefined;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return undefined;
    return this.verify(decoded.slice(0, colon), decoded.slice(colon + 1));
  }

  private mac(data: string): Buffer {
    return createHmac('sha256', this.secret).update(data).digest();
  }
}

export function basicAuthHeader(credentials: SvrCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

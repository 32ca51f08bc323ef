/**
 * The sealed-sender certificate check with its signatures verified once per distinct certificate. A
 * contact's certificate is the same on every message it sends for about a day, and checking it is two
 * XEdDSA verifications (the server certificate by the trust root, the sender certificate by the server
 * key) — ≈ 0.18 ms, a sixth of a backlog message's CPU. libsignal's rule is unchanged: one of the trust
 * roots signed the server certificate, the server key signed the sender certificate (both verified by
 * libsignal on first sight), and the certificate is refused once `time` is past its expiration (checked
 * on every message). Only accepted certificates are remembered, keyed by their full serialized bytes
 * (signatures included), so a certificate that differs in any byte is verified afresh.
 */
import type { PublicKey, SenderCertificate } from '@signalapp/libsignal-client';

/** Distinct certificates remembered (one per sending contact device; the oldest is forgotten first). */
const REMEMBERED = 512;

export class SenderCertificateCheck {
  /** Serialized certificate (latin1) → its expiration, for certificates libsignal accepted. */
  readonly #verified = new Map<string, number>();

  constructor(private readonly trustRoots: readonly PublicKey[]) {}

  /** Whether `certificate` is valid at `time` (ms since 1970, the server's timestamp of the envelope). */
  accepts(certificate: SenderCertificate, time: number): boolean {
    const key = Buffer.from(certificate.serialize()).toString('latin1');
    const expiration = this.#verified.get(key);
    if (expiration !== undefined) return time <= expiration;
    if (!certificate.validateWithTrustRoots([...this.trustRoots], time)) return false;
    if (this.#verified.size >= REMEMBERED) {
      const oldest = this.#verified.keys().next();
      if (!oldest.done) this.#verified.delete(oldest.value);
    }
    this.#verified.set(key, certificate.expiration());
    return true;
  }
}

import { PrivateKey, SenderCertificate, ServerCertificate } from '@signalapp/libsignal-client';
import { describe, expect, it } from 'vitest';
import { SenderCertificateCheck } from './sender-certificates.js';

const SENDER = '9d0652a3-dcc3-4d11-975f-74d61598733f';

function certificates() {
  const root = PrivateKey.generate();
  const server = PrivateKey.generate();
  const serverCertificate = ServerCertificate.new(1, server.getPublicKey(), root);
  const issue = (expiration: number, signer = server): SenderCertificate =>
    SenderCertificate.new(
      SENDER,
      null,
      1,
      PrivateKey.generate().getPublicKey(),
      expiration,
      serverCertificate,
      signer,
    );
  return { root, issue };
}

describe('SenderCertificateCheck', () => {
  it('accepts a certificate signed through a trust root until its expiration, also once remembered', () => {
    const { root, issue } = certificates();
    const check = new SenderCertificateCheck([root.getPublicKey()]);
    const certificate = issue(10_000);
    expect(check.accepts(certificate, 5_000)).toBe(true);
    expect(check.accepts(certificate, 10_000)).toBe(true);
    // Remembered: the expiry is still checked on every message.
    expect(check.accepts(certificate, 10_001)).toBe(false);
    expect(check.accepts(SenderCertificate.deserialize(certificate.serialize()), 9_000)).toBe(true);
  });

  it('refuses a certificate of another trust root or one the server did not sign, every time', () => {
    const { root, issue } = certificates();
    const other = certificates();
    const check = new SenderCertificateCheck([root.getPublicKey()]);
    const foreign = other.issue(10_000);
    expect(check.accepts(foreign, 5_000)).toBe(false);
    expect(check.accepts(foreign, 5_000)).toBe(false);
    const forged = issue(10_000, PrivateKey.generate());
    expect(check.accepts(forged, 5_000)).toBe(false);
    // A valid certificate remembered does not make a different one pass.
    expect(check.accepts(issue(10_000), 5_000)).toBe(true);
    expect(check.accepts(forged, 5_000)).toBe(false);
  });

  it('verifies an expired certificate afresh and never remembers it', () => {
    const { root, issue } = certificates();
    const check = new SenderCertificateCheck([root.getPublicKey()]);
    const certificate = issue(1_000);
    expect(check.accepts(certificate, 2_000)).toBe(false);
    expect(check.accepts(certificate, 500)).toBe(true);
  });
});

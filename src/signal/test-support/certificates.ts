/**
 * Test-only sealed-sender PKI: a trust root, a server certificate signed by it, and sender
 * certificates signed by the server key — what the chat server does for real.
 */
import { PrivateKey, SenderCertificate, ServerCertificate } from '@signalapp/libsignal-client';
import type { PublicKey } from '@signalapp/libsignal-client';

export interface TestPki {
  readonly trustRoot: PublicKey;
  senderCertificate(
    senderAci: string,
    deviceId: number,
    identityKey: PublicKey,
    expiresAt?: number,
  ): Uint8Array;
}

export function createTestPki(): TestPki {
  const root = PrivateKey.generate();
  const serverKey = PrivateKey.generate();
  const server = ServerCertificate.new(1, serverKey.getPublicKey(), root);
  return {
    trustRoot: root.getPublicKey(),
    senderCertificate(senderAci, deviceId, identityKey, expiresAt = Date.now() + 24 * 60 * 60 * 1000) {
      return SenderCertificate.new(
        senderAci,
        null,
        deviceId,
        identityKey,
        expiresAt,
        server,
        serverKey,
      ).serialize();
    },
  };
}

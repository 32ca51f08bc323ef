/**
 * A simulated contact's side of the attachment format, for tests: the mock server's own encryption and
 * pointer helpers (so received attachments are not produced by our code), and an independent decrypt
 * with node:crypto (so what we send is checked by code that is not ours).
 */
import { createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { expect } from 'vitest';

const require = createRequire(import.meta.url);

export const mockCrypto = require('@signalapp/mock-server/src/crypto.js') as {
  encryptAttachment(cleartext: Buffer): {
    key: Buffer;
    blob: Buffer<ArrayBuffer>;
    digest: Buffer;
    size: number;
  };
};

export const mockAttachment = require('@signalapp/mock-server/src/data/attachment.js') as {
  attachmentToPointer(cdnKey: string, attachment: unknown): Record<string, unknown>;
};

/** Verify digest and MAC, then decrypt, the way a contact's client would. */
export function contactDecrypt(blob: Buffer, key: Uint8Array, digest: Uint8Array, size: number): Buffer {
  expect(timingSafeEqual(createHash('sha256').update(blob).digest(), Buffer.from(digest))).toBe(true);
  const iv = blob.subarray(0, 16);
  const body = blob.subarray(16, blob.length - 32);
  const mac = createHmac('sha256', Buffer.from(key).subarray(32)).update(iv).update(body).digest();
  expect(timingSafeEqual(mac, blob.subarray(blob.length - 32))).toBe(true);
  const decipher = createDecipheriv('aes-256-cbc', Buffer.from(key).subarray(0, 32), iv);
  return Buffer.concat([decipher.update(body), decipher.final()]).subarray(0, size);
}

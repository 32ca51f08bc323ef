import { createRequire } from 'node:module';
import { createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AttachmentDecryptor,
  AttachmentDecryptStream,
  AttachmentEncryptor,
  decryptAttachment,
  encryptAttachment,
  encryptedChunks,
  encryptedAttachmentSize,
  MAX_ENCRYPTED_ATTACHMENT_BYTES,
  paddedAttachmentSize,
} from './crypto.js';
import { AttachmentRejectedError } from './errors.js';
import { MAX_ATTACHMENT_BYTES } from './limits.js';

// The mock server's own (independent) implementation of the same format, for interop in both directions.
const mockCrypto = createRequire(import.meta.url)('@signalapp/mock-server/src/crypto.js') as {
  encryptAttachment(cleartext: Buffer): { key: Buffer; blob: Buffer; digest: Buffer; size: number };
};

function rejected(fn: () => unknown, reason: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AttachmentRejectedError);
    expect((error as AttachmentRejectedError).reason).toBe(reason);
    expect((error as AttachmentRejectedError).code).toBe('ATTACHMENT');
    return;
  }
  throw new Error('expected a rejection');
}

describe('attachment padding', () => {
  it('uses buckets of at least 541 bytes growing by 5 %', () => {
    expect(paddedAttachmentSize(0)).toBe(541);
    expect(paddedAttachmentSize(1)).toBe(541);
    expect(paddedAttachmentSize(541)).toBe(541);
    expect(paddedAttachmentSize(542)).toBe(568);
    for (const size of [1000, 12_345, 1_000_000, 20 * 1024 * 1024, MAX_ATTACHMENT_BYTES]) {
      const padded = paddedAttachmentSize(size);
      expect(padded).toBeGreaterThanOrEqual(size);
      expect(padded).toBeLessThanOrEqual(Math.ceil(size * 1.05) + 1);
    }
    // Sizes in the same bucket are indistinguishable after padding.
    expect(paddedAttachmentSize(10_000)).toBe(paddedAttachmentSize(10_100));
  });

  it('announces the exact blob size', () => {
    for (const size of [0, 15, 16, 541, 5000, 65_537]) {
      const encrypted = encryptAttachment(randomBytes(size));
      expect(encrypted.blob.length).toBe(encryptedAttachmentSize(size));
    }
  });
});

describe('attachment crypto', () => {
  it('round-trips, with a 64-byte key and a digest over the whole blob', () => {
    const plaintext = randomBytes(70_001);
    const encrypted = encryptAttachment(plaintext);
    expect(encrypted.key.length).toBe(64);
    expect(encrypted.size).toBe(plaintext.length);
    const out = decryptAttachment(encrypted.blob, encrypted);
    expect(out.equals(plaintext)).toBe(true);
  });

  it('decrypts incrementally in arbitrary chunks (as network data arrives)', () => {
    const plaintext = randomBytes(123_457);
    const encrypted = encryptAttachment(plaintext);
    const decryptor = new AttachmentDecryptor(encrypted);
    let offset = 0;
    const sizes = [1, 15, 2, 31, 33, 4096, 7];
    for (let i = 0; offset < encrypted.blob.length; i += 1) {
      const step = sizes[i % sizes.length] ?? 1;
      decryptor.update(encrypted.blob.subarray(offset, offset + step));
      offset += step;
    }
    expect(decryptor.final().equals(plaintext)).toBe(true);
  });

  it('gives the same result for any split of the blob into chunks (randomised)', () => {
    for (let round = 0; round < 60; round += 1) {
      const plaintext = randomBytes(Math.floor(Math.random() * 3000));
      const encrypted = encryptAttachment(plaintext);
      const decryptor = new AttachmentDecryptor(encrypted);
      let offset = 0;
      while (offset < encrypted.blob.length) {
        const step = 1 + Math.floor(Math.random() * (Math.random() < 0.5 ? 40 : 700));
        decryptor.update(encrypted.blob.subarray(offset, offset + step));
        offset += step;
      }
      expect(decryptor.final().equals(plaintext)).toBe(true);
      // And a tampered byte anywhere is caught whatever the split.
      const tampered = Buffer.from(encrypted.blob);
      const at = Math.floor(Math.random() * tampered.length);
      tampered[at] = (tampered[at] ?? 0) ^ 0x10;
      const bad = new AttachmentDecryptor(encrypted);
      for (let i = 0; i < tampered.length; i += 37) bad.update(tampered.subarray(i, i + 37));
      expect(() => bad.final()).toThrow(AttachmentRejectedError);
    }
  });

  it('reads what the mock server (another implementation) encrypted, and vice versa', () => {
    const plaintext = randomBytes(5000);
    const theirs = mockCrypto.encryptAttachment(plaintext);
    expect(decryptAttachment(theirs.blob, theirs).equals(plaintext)).toBe(true);

    const ours = encryptAttachment(plaintext);
    // Independent check with node:crypto the way the format is specified.
    const iv = ours.blob.subarray(0, 16);
    const mac = ours.blob.subarray(ours.blob.length - 32);
    const body = ours.blob.subarray(16, ours.blob.length - 32);
    expect(createHash('sha256').update(ours.blob).digest().equals(ours.digest)).toBe(true);
    expect(createHmac('sha256', ours.key.subarray(32)).update(iv).update(body).digest().equals(mac)).toBe(
      true,
    );
    const decipher = createDecipheriv('aes-256-cbc', ours.key.subarray(0, 32), iv);
    const padded = Buffer.concat([decipher.update(body), decipher.final()]);
    expect(padded.length).toBe(paddedAttachmentSize(5000));
    expect(padded.subarray(0, 5000).equals(plaintext)).toBe(true);
    expect(padded.subarray(5000).every((b) => b === 0)).toBe(true);
  });

  it('rejects a flipped byte in the IV, the ciphertext or the MAC', () => {
    const encrypted = encryptAttachment(randomBytes(3000));
    for (const index of [
      0,
      15,
      16,
      500,
      encrypted.blob.length - 33,
      encrypted.blob.length - 32,
      encrypted.blob.length - 1,
    ]) {
      const tampered = Buffer.from(encrypted.blob);
      tampered[index] = (tampered[index] ?? 0) ^ 0x01;
      rejected(() => decryptAttachment(tampered, encrypted), 'integrity');
    }
  });

  it('rejects a MAC-valid blob whose digest does not match the pointer', () => {
    const encrypted = encryptAttachment(randomBytes(3000));
    const wrongDigest = Buffer.from(encrypted.digest);
    wrongDigest[7] = (wrongDigest[7] ?? 0) ^ 0x80;
    rejected(() => decryptAttachment(encrypted.blob, { ...encrypted, digest: wrongDigest }), 'integrity');
    // A different attachment's valid blob under this pointer: also refused.
    const other = encryptAttachment(randomBytes(3000), { key: encrypted.key });
    rejected(() => decryptAttachment(other.blob, encrypted), 'integrity');
  });

  it('rejects wrong keys, truncated and over-long blobs, and malformed pointers', () => {
    const encrypted = encryptAttachment(randomBytes(2000));
    rejected(() => decryptAttachment(encrypted.blob, { ...encrypted, key: randomBytes(64) }), 'integrity');
    rejected(
      () => decryptAttachment(encrypted.blob.subarray(0, encrypted.blob.length - 16), encrypted),
      'integrity',
    );
    rejected(() => decryptAttachment(encrypted.blob.subarray(0, 40), encrypted), 'malformed');
    rejected(
      () => decryptAttachment(Buffer.concat([encrypted.blob, randomBytes(4096)]), encrypted),
      'malformed',
    );
    rejected(
      () => decryptAttachment(encrypted.blob, { ...encrypted, key: randomBytes(32) }),
      'missing-pointer-field',
    );
    rejected(
      () => decryptAttachment(encrypted.blob, { ...encrypted, digest: new Uint8Array(0) }),
      'missing-pointer-field',
    );
    rejected(() => decryptAttachment(encrypted.blob, { ...encrypted, size: 5000 }), 'malformed');
  });

  it('enforces the 100 MiB limit on both sides', () => {
    rejected(() => encryptAttachment(new Uint8Array(MAX_ATTACHMENT_BYTES + 1)), 'too-large');
    const encrypted = encryptAttachment(randomBytes(100));
    rejected(() => new AttachmentDecryptor({ ...encrypted, size: MAX_ATTACHMENT_BYTES + 1 }), 'too-large');
    expect(MAX_ENCRYPTED_ATTACHMENT_BYTES).toBeGreaterThan(MAX_ATTACHMENT_BYTES);
  });

  it('streams: uneven plaintext chunks give the same blob as one piece, and the stream decrypts it back', () => {
    const plaintext = randomBytes(3 * 65_536 + 1_234);
    const key = randomBytes(64);
    const iv = randomBytes(16);
    const whole = encryptAttachment(plaintext, { key, iv });
    const encryptor = new AttachmentEncryptor(plaintext.length, { key, iv });
    const pieces = [1, 15, 40_000, 100_003, 7].map((n, i, all) => {
      const start = all.slice(0, i).reduce((a, b) => a + b, 0);
      return plaintext.subarray(start, i === all.length - 1 ? plaintext.length : start + n);
    });
    const blob = Buffer.concat([...encryptedChunks(encryptor, pieces)]);
    expect(blob.equals(whole.blob)).toBe(true);
    expect(blob.length).toBe(encryptor.encryptedSize);
    expect(encryptor.digest.equals(whole.digest)).toBe(true);

    const out: Buffer[] = [];
    const stream = new AttachmentDecryptStream(whole, (plain) => out.push(Buffer.from(plain)));
    for (let offset = 0; offset < blob.length; offset += 9_999)
      stream.update(blob.subarray(offset, offset + 9_999));
    stream.final();
    expect(Buffer.concat(out).equals(plaintext)).toBe(true); // padding cut off, exactly `size` bytes
  });

  it('a streamed decryption hands out unverified plaintext that final() then refuses: the sink must hold it back', () => {
    const encrypted = encryptAttachment(randomBytes(200_000));
    const tampered = Buffer.from(encrypted.blob);
    const at = tampered.length - 40; // in the last ciphertext block, before the MAC
    tampered[at] = (tampered[at] ?? 0) ^ 1;
    let released = 0;
    const stream = new AttachmentDecryptStream(encrypted, (plain) => (released += plain.length));
    stream.update(tampered);
    expect(released).toBeGreaterThan(150_000);
    rejected(() => stream.final(), 'integrity');
    expect(() => new AttachmentEncryptor(10).update(randomBytes(11))).toThrow(RangeError);
    expect(() => [...new AttachmentEncryptor(10).finish()]).toThrow(RangeError);
  });
});

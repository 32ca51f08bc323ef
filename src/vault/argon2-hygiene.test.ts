/**
 * argon2RawHash: the same hash as node-argon2, without the copy of the password node-argon2 leaves in
 * Node's Buffer pool. (The thread-stack copy of the output is measured by src/api/memory-wipe.network.test.ts.)
 */
import argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { argon2RawHash } from './argon2-hygiene.js';

const OPTIONS = {
  type: argon2.argon2id,
  raw: true,
  hashLength: 32,
  salt: Buffer.alloc(16, 1),
  memoryCost: 64,
  timeCost: 1,
  parallelism: 1,
} as const;

/** The Buffer pool slab in use now (small Buffers are slices of it). */
const currentPool = (): Buffer => Buffer.from(Buffer.allocUnsafe(1).buffer);

describe('argon2RawHash', () => {
  it('hashes like node-argon2 and leaves no copy of the password in the Buffer pool', async () => {
    // Buffer.alloc, unlike Buffer.from, never takes a pool slice: the only copy in the pool is node-argon2's.
    const text = `passphrase ${randomBytes(8).toString('hex')}`;
    const password = Buffer.alloc(Buffer.byteLength(text));
    password.write(text);
    const hash = await argon2RawHash(password, OPTIONS);
    expect(currentPool().indexOf(password)).toBe(-1);
    expect(password.toString()).toMatch(/^passphrase /); // the caller's Buffer is only read

    // node-argon2 itself leaves the copy (when it stops, the pool wipe can go) and gives the same hash.
    expect(await argon2.hash(password, OPTIONS)).toEqual(hash);
    expect(currentPool().indexOf(password)).not.toBe(-1);
  });
});

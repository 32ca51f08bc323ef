import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { releaseBuffer, wipeAndRelease } from './release.js';

describe('releaseBuffer', () => {
  it('frees a Buffer that owns its whole ArrayBuffer (a cipher output)', () => {
    const cipher = createCipheriv('aes-256-ctr', randomBytes(32), randomBytes(16));
    const out = cipher.update(Buffer.alloc(256 * 1024, 1));
    const { buffer } = out;
    releaseBuffer(out);
    expect(buffer.detached).toBe(true);
    expect(out.length).toBe(0);
  });

  it('leaves views into shared memory alone: a pooled small Buffer, a slice, a subarray', () => {
    const pooled = Buffer.from('short text'); // from Node's shared 8 KiB pool
    const whole = Buffer.alloc(64 * 1024, 2);
    const head = whole.subarray(0, 1024);
    const tail = whole.subarray(1024);
    for (const view of [pooled, head, tail]) releaseBuffer(view);
    expect(pooled.toString()).toBe('short text');
    expect(whole.buffer.detached).toBe(false);
    expect(tail.every((b) => b === 2)).toBe(true);
  });

  it('is safe on an empty or already freed Buffer', () => {
    const out = Buffer.alloc(10_000);
    releaseBuffer(out);
    expect(() => releaseBuffer(out)).not.toThrow();
    expect(() => releaseBuffer(new Uint8Array(0))).not.toThrow();
  });
});

describe('wipeAndRelease', () => {
  it('zeroes a view it cannot free', () => {
    const whole = Buffer.alloc(8192, 9);
    const part = whole.subarray(4096);
    wipeAndRelease(part);
    expect(whole.subarray(4096).every((b) => b === 0)).toBe(true);
    expect(whole.subarray(0, 4096).every((b) => b === 9)).toBe(true);
  });

  it('zeroes the bytes before the memory is given back', () => {
    const secret = Buffer.alloc(100_000, 0xaa);
    const seen: number[] = [];
    // Look at the memory at the moment it is handed back: the zeroing must already have happened.
    const transfer = vi.spyOn(ArrayBuffer.prototype, 'transfer').mockImplementation(function (
      this: ArrayBuffer,
    ) {
      const view = new Uint8Array(this);
      seen.push(view[0] ?? -1, view[99_999] ?? -1);
      return new ArrayBuffer(0);
    });
    try {
      wipeAndRelease(secret);
    } finally {
      transfer.mockRestore();
    }
    expect(seen).toEqual([0, 0]);
  });
});

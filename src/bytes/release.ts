/**
 * Giving a large transient Buffer's memory back at once instead of leaving it to the garbage collector.
 *
 * A streamed transfer makes a fresh Buffer for every cipher output (256 KiB at a time, several per byte
 * of the file: vault segment, Signal ciphertext, decrypted plaintext). Their memory lives outside the V8
 * heap, and V8 starts a full garbage collection for about every 64 MiB of it that piles up — three or
 * four per 20 MiB attachment, each marking the whole heap. Detaching a Buffer's ArrayBuffer once its
 * bytes are used frees that memory immediately and keeps it out of V8's count.
 *
 * Only a Buffer that is the whole of its ArrayBuffer is detached: a view into a shared or pooled one
 * (Node's small-Buffer pool, a slice of a socket read) would take its neighbours with it.
 */

/** Frees `bytes`' memory now if it owns its whole ArrayBuffer; afterwards its length is 0. */
export function releaseBuffer(bytes: Uint8Array): void {
  const { buffer } = bytes;
  if (
    buffer instanceof ArrayBuffer &&
    !buffer.detached &&
    bytes.byteOffset === 0 &&
    bytes.byteLength === buffer.byteLength &&
    buffer.byteLength > 0
  ) {
    try {
      buffer.transfer(0);
    } catch {
      // A non-detachable buffer (one Node or an addon pinned): it is left to the garbage collector.
    }
  }
}

/** Zeroes `bytes` (plaintext, keys) and then frees its memory as `releaseBuffer` does. */
export function wipeAndRelease(bytes: Uint8Array): void {
  bytes.fill(0);
  releaseBuffer(bytes);
}

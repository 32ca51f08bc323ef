/**
 * `argon2.hash` without the two copies of its secrets that node-argon2 (0.45) leaves behind — each found by
 * the memory-wipe measurement (src/api/memory-wipe.network.test.ts) in the core process after lock:
 *
 * - The password: its JS wrapper passes `Buffer.from(password)` to the native side and never zeroes it. A
 *   copy under 4 KiB is a slice of Node's shared Buffer pool, allocated synchronously inside the call (no
 *   await comes before it when a salt is given): it lies between two one-byte pool slices taken just
 *   before and just after, where we find it by content and zero it. The native side has copied it by then
 *   (and argon2 itself clears that copy).
 * - The output: argon2 runs on a libuv thread-pool thread and its last BLAKE2b step leaves the hash — the
 *   key — in that thread's stack memory. Throw-away hashes of the same length run through the same stack
 *   frames and overwrite it: several per pool thread, queued together, each long enough that a thread
 *   slow to wake or busy still finds one left (SCRUBS_PER_THREAD). With near-instant ones the first
 *   threads awake could take them all on a loaded machine: the measurement found the output in an
 *   anonymous mapping (a thread's stack) in 2 of 27 runs beside other test processes.
 */
import argon2 from 'argon2';

const POOL_THREADS = Number(process.env.UV_THREADPOOL_SIZE) || 4;
/**
 * Three throw-away hashes per pool thread, 4 MiB each (≈ 5 ms; ≈ 60 ms of CPU in all): a thread that is
 * busy with other work (a file read, an fsync) when the scrub starts still finds one left for ≈ 20 ms.
 * With two of 1 MiB each the output was still found in 2 of about 17 runs beside other test processes.
 */
const SCRUBS_PER_THREAD = 3;
const SCRUB_MEMORY_KIB = 4096;
const SCRUB_SALT = Buffer.alloc(16);

type RawHashOptions = Parameters<typeof argon2.hash>[1] & { raw: true; salt: Buffer; hashLength: number };

/** Zeroes every copy of `secret` in the Buffer-pool memory allocated between `before` and `after`. */
function wipePooledCopies(secret: Buffer, before: Buffer, after: Buffer): void {
  const ranges =
    before.buffer === after.buffer
      ? [new Uint8Array(before.buffer, before.byteOffset + 1, after.byteOffset - before.byteOffset - 1)]
      : [
          new Uint8Array(before.buffer, before.byteOffset + 1),
          new Uint8Array(after.buffer, 0, after.byteOffset),
        ];
  for (const range of ranges) {
    const view = Buffer.from(range.buffer, range.byteOffset, range.byteLength);
    for (let at = view.indexOf(secret); at !== -1; at = view.indexOf(secret, at + secret.length))
      view.fill(0, at, at + secret.length);
  }
  before.fill(0);
  after.fill(0);
}

async function scrubThreadStacks(hashLength: number): Promise<void> {
  const scrub = () =>
    argon2.hash(Buffer.from('scrub'), {
      type: argon2.argon2id,
      raw: true,
      hashLength,
      salt: SCRUB_SALT,
      memoryCost: SCRUB_MEMORY_KIB,
      timeCost: 1,
      parallelism: 1,
    });
  await Promise.all(Array.from({ length: POOL_THREADS * SCRUBS_PER_THREAD }, scrub));
}

/** The raw hash; `password` is only read (the caller zeroes it), the result belongs to the caller. */
export async function argon2RawHash(password: Buffer, options: RawHashOptions): Promise<Buffer> {
  const before = Buffer.allocUnsafe(1);
  const pending = argon2.hash(password, options);
  if (password.length > 0) wipePooledCopies(password, before, Buffer.allocUnsafe(1));
  const hash = await pending;
  try {
    await scrubThreadStacks(options.hashLength);
  } catch (error) {
    hash.fill(0);
    throw error;
  }
  return hash;
}

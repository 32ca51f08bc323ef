/**
 * Overwrites and unlinks deleted vault files on the thread pool, one file at a time, so that deleting a
 * large attachment never stalls the event loop that serves the UI (done synchronously, noise + write +
 * fsync + unlink blocked it ≈ 3–4 ms per MiB on the bench machine: 0.3–0.4 s for a 100 MiB video).
 *
 * Nothing secret waits here: a file is queued only once its key row is gone (crypto-shredding), so its
 * ciphertext is already unreadable; overwriting is the best-effort extra. A shred cut short by a quit or a
 * crash is finished by the next unlock's sweep, which finds a ciphertext without a key row.
 */
import { randomFill } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorFields, log } from '../log.js';
import { isNotFound } from './fs-util.js';

function fillRandom(buffer: Buffer, length: number): Promise<void> {
  return new Promise((resolve, reject) =>
    randomFill(buffer, 0, length, (error) => (error ? reject(error) : resolve())),
  );
}
/** Noise written per step: big enough that thread-pool hops cost little, small enough to stay cheap. */
const NOISE_BYTES = 1024 * 1024;

async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(dir, 'r');
  } catch (error) {
    if (isNotFound(error)) return; // an erase removed the whole directory
    throw error;
  }
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Overwrites `path` with random bytes, fsyncs, unlinks it, fsyncs its directory. A missing file is done.
 * Returns false, with the file closed and still in place, when `stop()` said so between two steps.
 */
async function shredInBackground(path: string, stop: () => boolean): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r+');
  } catch (error) {
    if (isNotFound(error)) return true;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const noise = Buffer.allocUnsafe(Math.min(NOISE_BYTES, size));
    for (let position = 0; position < size; position += noise.length) {
      if (stop()) return false;
      const length = Math.min(noise.length, size - position);
      await fillRandom(noise, length);
      let written = 0;
      while (written < length) {
        const { bytesWritten } = await handle.write(noise, written, length - written, position + written);
        written += bytesWritten;
      }
    }
    if (stop()) return false;
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await unlink(path);
  } catch (error) {
    if (isNotFound(error)) return true; // the unlock sweep or an erase got there first
    throw error;
  }
  if (!stop()) await syncDirectory(dirname(path));
  return true;
}

export class BackgroundShredder {
  readonly #queue: string[] = [];
  /** Paths queued or being shredded: a sweep must leave them alone. */
  readonly #held = new Set<string>();
  #running: Promise<void> | undefined;
  /** Pauses not yet resumed: a finishing unlock's resume must not restart it under the next one. */
  #pauses = 0;

  /** Queues `path` (once, however often it is asked) and returns at once. */
  shred(path: string): void {
    if (this.#held.has(path)) return;
    this.#held.add(path);
    this.#queue.push(path);
    this.#start();
  }

  holds(path: string): boolean {
    return this.#held.has(path);
  }

  /**
   * Resolves once every file queued so far, and any queued meanwhile, is gone (or its failure logged) —
   * or the shredder is paused.
   */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /**
   * Stops at the next step and resolves once no file is held open (at most one 1 MiB write or one fsync
   * away). The vault pauses while it unlocks: an erase may then move or delete the whole profile, which
   * Windows refuses while a file in it is open. An interrupted file is started over once every pause was
   * resumed (each `pause` takes one `resume`).
   */
  async pause(): Promise<void> {
    this.#pauses += 1;
    await this.idle();
  }

  resume(): void {
    if (this.#pauses === 0) throw new Error('BackgroundShredder: resume without pause');
    this.#pauses -= 1;
    this.#start();
  }

  /** Forgets every queued file: an erase destroys them anyway. Call it while paused. */
  abandon(): void {
    this.#queue.length = 0;
    this.#held.clear();
  }

  #start(): void {
    if (this.#pauses === 0 && this.#queue.length > 0) this.#running ??= this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pauses === 0) {
        const path = this.#queue.shift();
        if (path === undefined) break;
        let done = true;
        try {
          done = await shredInBackground(path, () => this.#pauses > 0);
        } catch (error) {
          // The key row is gone, so the file is unreadable; the next unlock's sweep tries again.
          log.warn('vault.files.shred_failed', errorFields(error));
        }
        if (done) this.#held.delete(path);
        else this.#queue.unshift(path);
      }
    } finally {
      this.#running = undefined;
    }
  }
}

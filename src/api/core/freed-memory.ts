/**
 * V8 leaves what it frees — strings holding a passphrase, a PIN, a message body — in its heap until the
 * space is reused, where a memory dump or a swapped-out page shows it: the memory-wipe measurement
 * (bench/results/memory-wipe.json) found a PIN 35 times in the core process after lock, none of them
 * reachable. Two things shorten that:
 * - V8's --clear-free-memory: the old generation's sweeper zeroes what it frees. Set at run time, by the
 *   core itself, so every process that runs the core (Electron main, the harness) gets it.
 * - The young generation is never swept: its dead objects stay until new allocations overwrite them. At
 *   lock, allocating short-lived filler through it (more than both halves hold) overwrites them at once
 *   (≈ 50–150 ms on the 2-core development machine under load).
 */
import { setFlagsFromString } from 'node:v8';

export function clearFreedMemory(): void {
  setFlagsFromString('--clear-free-memory');
}

/** More than V8's young generation holds: two halves of at most 32 MiB each by default. */
const FILLER_BYTES = 96 * 1024 * 1024;
const FILLER_ELEMENTS = 8000;
/** Approximate heap size of one filler array (header + elements, compressed pointers). */
const FILLER_OBJECT_BYTES = 16 + 8 + FILLER_ELEMENTS * 4;
/** Module state, so the compiler cannot prove the filler unused and skip allocating it. */
let _filler: unknown;

export function overwriteYoungGeneration(): void {
  for (let done = 0; done < FILLER_BYTES; done += FILLER_OBJECT_BYTES)
    _filler = new Array<number>(FILLER_ELEMENTS);
  _filler = undefined;
}

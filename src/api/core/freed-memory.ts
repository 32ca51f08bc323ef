/**
 * V8 leaves what it frees — strings holding a passphrase, a PIN, a message body — in its heap until the
 * space is reused, where a memory dump or a swapped-out page shows it: the memory-wipe measurement
 * (bench/results/memory-wipe.json) found a PIN 35 times in the core process after lock, none of them
 * reachable. With V8's --clear-free-memory the collector zeroes memory as it frees it. It is set at run
 * time, by the core itself, so every process that runs the core (Electron main, the harness) gets it.
 */
import { setFlagsFromString } from 'node:v8';

export function clearFreedMemory(): void {
  setFlagsFromString('--clear-free-memory');
}
